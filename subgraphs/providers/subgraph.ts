import type { SubgraphDefinition } from '../shared/subgraph';
import { createProvidersContext, type ProvidersContext } from './context';
import { CreditServiceProvider } from './entities/credit-service-provider.entity';
import { ProviderFilingChange } from './entities/provider-filing-change.entity';
import { ProviderFilingEvent } from './entities/provider-filing-event.entity';
import { ProviderFormerName } from './entities/provider-former-name.entity';
import { ProviderSanction } from './entities/provider-sanction.entity';
import { ProviderViolation } from './entities/provider-violation.entity';
import { SupervisionClassChange } from './entities/supervision-class-change.entity';
import { CreateCreditServiceProvider1764000000300 } from './migrations/1764000000300-create-credit-service-provider';
import { CreateProviderSupervision1764000000310 } from './migrations/1764000000310-create-provider-supervision';
import { EvidenceAsJson1764000000320 } from './migrations/1764000000320-evidence-as-json';
import { FilingEventApplication1764000000330 } from './migrations/1764000000330-filing-event-application';
import { ProviderNameSearch1764000000340 } from './migrations/1764000000340-provider-name-search';
import { ProviderNameKeyIndex1764000000350 } from './migrations/1764000000350-provider-name-key-index';
import { WithdrawProviderViolation1764000000360 } from './migrations/1764000000360-withdraw-provider-violation';
import { ProviderFilingChange1764000000370 } from './migrations/1764000000370-provider-filing-change';
import { RekeyProviderNames1764000000380 } from './migrations/1764000000380-rekey-provider-names';
import { resolvers } from './resolvers';

/** Credit service providers (信用服务机构): the district's filing (备案) and supervision (分类监管) registry. */
export const providersSubgraph: SubgraphDefinition<ProvidersContext> = {
  name: 'providers',
  entities: [CreditServiceProvider, ProviderFilingEvent, SupervisionClassChange, ProviderViolation, ProviderSanction, ProviderFilingChange, ProviderFormerName],
  migrations: [
    CreateCreditServiceProvider1764000000300,
    CreateProviderSupervision1764000000310,
    EvidenceAsJson1764000000320,
    FilingEventApplication1764000000330,
    ProviderNameSearch1764000000340,
    ProviderNameKeyIndex1764000000350,
    WithdrawProviderViolation1764000000360,
    ProviderFilingChange1764000000370,
    RekeyProviderNames1764000000380,
  ],
  resolvers,
  createContext: (db, { deadline }) => createProvidersContext(db, deadline),
};
