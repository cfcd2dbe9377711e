/**
 * The analysts' GraphQL explorer: GraphiQL with a bar that sends the caller's token and the
 * request's purpose (the access headers) with every operation, and saved example operations per
 * kind of user. Bundled at build time by gateway/explorer/build.ts and served by the gateway from
 * its own origin: nothing here may load from another host (the gateway's CSP forbids it too).
 */
import { useGraphiQL } from '@graphiql/react';
import { GraphiQL, type GraphiQLProps } from 'graphiql';
import 'graphiql/style.css';
import { StrictMode, useCallback, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { createRoot } from 'react-dom/client';
import type { ExplorerSettings, ExplorerExample, DemoCallerToken } from '../settings';
import './explorer.css';

// Monaco runs its language services in web workers; the build emits each as a file of its own,
// next to this bundle (see build.ts: keep the names in sync).
const workerFiles: Record<string, string> = { json: 'json.worker.js', graphql: 'graphql.worker.js' };
(globalThis as { MonacoEnvironment?: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    return new Worker(new URL(`./${workerFiles[label] ?? 'editor.worker.js'}`, document.baseURI));
  },
};

interface Access {
  token: string;
  /** The label of the demo caller whose token this is, or '' for a pasted token. */
  demoCaller: string;
  matter: string;
  caseNumber: string;
  consentId: string;
}

const noAccess: Access = { token: '', demoCaller: '', matter: '', caseNumber: '', consentId: '' };
// Tokens stay for the browser tab's session only: never in localStorage.
const accessKey = 'credit-explorer:access';

function loadAccess(): Access {
  try {
    return { ...noAccess, ...(JSON.parse(sessionStorage.getItem(accessKey) ?? '{}') as Partial<Access>) };
  } catch {
    return noAccess;
  }
}

/** A browser refuses header text beyond ASCII (a case number 北财采〔2026〕17号): such text goes percent-encoded, as RFC 8187 writes it. */
function headerText(text: string): string {
  // encodeURIComponent throws on a lone surrogate (half an emoji pasted in): it stands as U+FFFD.
  return /^[\x20-\x7e]*$/.test(text) ? text : `UTF-8''${encodeURIComponent(text.replace(/\p{Cs}/gu, '\ufffd'))}`;
}

function accessHeaders(access: Access, settings: ExplorerSettings): Record<string, string> {
  const headers: Record<string, string> = {};
  if (access.token.trim()) headers.authorization = `Bearer ${access.token.trim().replace(/^Bearer\s+/i, '')}`;
  if (access.matter) headers[settings.purposeHeaders.matter] = access.matter;
  if (access.caseNumber.trim()) headers[settings.purposeHeaders.caseNumber] = headerText(access.caseNumber.trim());
  if (access.consentId.trim()) headers[settings.purposeHeaders.consentId] = headerText(access.consentId.trim());
  return headers;
}

/** The access an example is meant to be run with: its demo caller (embedded default) and purpose. */
function accessFor(example: ExplorerExample, settings: ExplorerSettings, current: Access): Access {
  const demo = settings.demoCallers?.find((c) => c.label === example.demoCaller);
  const purpose = { matter: example.purpose.matter ?? '', caseNumber: example.purpose.caseNumber ?? '', consentId: example.purpose.consentId ?? '' };
  return demo ? { ...purpose, token: demo.token, demoCaller: demo.label } : { ...current, ...purpose };
}

/**
 * Inside GraphiQL (it needs its editors), drawn into the bar above it: opening an example puts
 * its operation and variables into the current tab and sets the access it is meant for.
 */
function ExamplePicker({ settings, slot, onOpen }: { settings: ExplorerSettings; slot: HTMLElement | null; onOpen: (example: ExplorerExample) => void }) {
  const queryEditor = useGraphiQL((state) => state.queryEditor);
  const variableEditor = useGraphiQL((state) => state.variableEditor);
  const [chosen, setChosen] = useState('');
  if (!slot) return null;
  const open = (name: string) => {
    setChosen(name);
    const example = settings.examples.find((e) => e.name === name);
    if (!example) return;
    queryEditor?.setValue(example.query);
    variableEditor?.setValue(example.variables ? JSON.stringify(example.variables, null, 2) : '');
    onOpen(example);
  };
  return createPortal(
    <label className="explorer-field">
      <span>Example</span>
      <select data-testid="example" value={chosen} onChange={(e) => open(e.target.value)}>
        <option value="">Open an example…</option>
        {settings.examples.map((e) => (
          <option key={e.name} value={e.name}>
            {e.audience}: {e.title}
          </option>
        ))}
      </select>
    </label>,
    slot,
  );
}

function AccessBar({ settings, access, setAccess, exampleSlot }: { settings: ExplorerSettings; access: Access; setAccess: (a: Access) => void; exampleSlot: (el: HTMLDivElement | null) => void }) {
  const demo = settings.demoCallers;
  const pickDemo = (label: string) => {
    const caller = demo?.find((c) => c.label === label);
    if (!caller) return setAccess({ ...access, token: '', demoCaller: '' });
    setAccess({
      token: caller.token,
      demoCaller: caller.label,
      matter: caller.headers[settings.purposeHeaders.matter] ?? '',
      caseNumber: caller.headers[settings.purposeHeaders.caseNumber] ?? '',
      consentId: caller.headers[settings.purposeHeaders.consentId] ?? '',
    });
  };
  return (
    <header className="explorer-bar">
      <strong className="explorer-title" title="北戴河区公共信用信息共享平台">Beidaihe credit API · explorer</strong>
      {demo && (
        <label className="explorer-field">
          <span>Demo caller</span>
          <select data-testid="demo-caller" value={access.demoCaller} onChange={(e) => pickDemo(e.target.value)}>
            <option value="">(none: anonymous or pasted token)</option>
            {demo.map((c: DemoCallerToken) => (
              <option key={c.label} value={c.label}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <label className="explorer-field explorer-token">
        <span>Bearer token</span>
        <input
          data-testid="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="paste your token"
          value={access.token}
          onChange={(e) => setAccess({ ...access, token: e.target.value, demoCaller: '' })}
        />
      </label>
      <label className="explorer-field">
        <span>Matter ({settings.purposeHeaders.matter})</span>
        <select data-testid="matter" value={access.matter} onChange={(e) => setAccess({ ...access, matter: e.target.value })}>
          <option value="">(none)</option>
          {settings.matters.map((m) => (
            <option key={m.code} value={m.code}>
              {m.code} {m.nameZh}
            </option>
          ))}
        </select>
      </label>
      <label className="explorer-field">
        <span>Case ({settings.purposeHeaders.caseNumber})</span>
        <input data-testid="case" value={access.caseNumber} onChange={(e) => setAccess({ ...access, caseNumber: e.target.value })} />
      </label>
      <label className="explorer-field">
        <span>Consent ({settings.purposeHeaders.consentId})</span>
        <input data-testid="consent" value={access.consentId} onChange={(e) => setAccess({ ...access, consentId: e.target.value })} />
      </label>
      <div ref={exampleSlot} className="explorer-examples" />
    </header>
  );
}

function Explorer({ settings }: { settings: ExplorerSettings }) {
  const [access, setAccessState] = useState<Access>(() => {
    const stored = loadAccess();
    if (stored.token || stored.matter || !settings.examples[0]) return stored;
    return accessFor(settings.examples[0], settings, stored);
  });
  const accessRef = useRef(access);
  const setAccess = useCallback((next: Access) => {
    accessRef.current = next;
    setAccessState(next);
    sessionStorage.setItem(accessKey, JSON.stringify(next));
  }, []);
  const [slot, setSlot] = useState<HTMLDivElement | null>(null);

  // One fetcher for the page's life: it reads the access of the moment, so the schema is not
  // fetched again on every keystroke in the bar. Headers typed into GraphiQL's own editor win.
  const fetcher = useMemo<GraphiQLProps['fetcher']>(
    () => async (params, options) => {
      const response = await fetch(settings.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...accessHeaders(accessRef.current, settings), ...(options?.headers as Record<string, string> | undefined) },
        body: JSON.stringify(params),
      });
      return await response.json();
    },
    [settings],
  );
  const defaultTabs = useMemo(() => settings.examples.map((e) => ({ query: e.query, variables: e.variables ? JSON.stringify(e.variables, null, 2) : null })), [settings]);

  return (
    <div className="explorer">
      <AccessBar settings={settings} access={access} setAccess={setAccess} exampleSlot={setSlot} />
      <div className="explorer-graphiql">
        <GraphiQL fetcher={fetcher} defaultTabs={defaultTabs} defaultEditorToolsVisibility="variables" shouldPersistHeaders={false}>
          <GraphiQL.Logo>Credit API</GraphiQL.Logo>
          <ExamplePicker settings={settings} slot={slot} onOpen={(example) => setAccess(accessFor(example, settings, accessRef.current))} />
        </GraphiQL>
      </div>
    </div>
  );
}

function Failure({ message }: { message: string }) {
  return <p className="explorer-failure">The explorer could not start: {message}</p>;
}

async function main(): Promise<void> {
  const container = document.getElementById('explorer');
  if (!container) return;
  const root = createRoot(container);
  try {
    const response = await fetch(new URL('./settings.json', document.baseURI), { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`settings answered ${response.status}`);
    const settings = (await response.json()) as ExplorerSettings;
    root.render(
      <StrictMode>
        <Explorer settings={settings} />
      </StrictMode>,
    );
  } catch (error) {
    root.render(<Failure message={(error as Error).message} />);
  }
}

void main();
