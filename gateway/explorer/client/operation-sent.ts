import { Kind, parse, type OperationDefinitionNode, type OperationTypeNode } from 'graphql';

/** The operation a run sends, as the text sent names it. */
export interface OperationSent {
  /** The name to send: the one GraphiQL gave where the text holds it, else the text's only operation's. */
  operationName: string | null;
  /** Its type, or, where the text does not tell which runs, `mutation` if any of its operations is one: Stop then warns it may have taken effect. */
  type: OperationTypeNode | undefined;
}

/**
 * GraphiQL names the operation to run from its parse of the editor, made a moment after the text
 * changes: a run at once after an example was opened came with the previous tab's name, which the
 * gateway refuses as an unknown operation (and Stop told a credit check as a query, which changes
 * nothing). The text sent is what counts: where it holds one operation, that is the one run.
 */
export function operationSent(query: string, operationName: string | null | undefined): OperationSent {
  let operations: OperationDefinitionNode[];
  try {
    operations = parse(query).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  } catch {
    return { operationName: operationName ?? null, type: undefined }; // the gateway says what is wrong with it
  }
  const named = operationName ? operations.find((o) => o.name?.value === operationName) : undefined;
  const run = named ?? (operations.length === 1 ? operations[0] : undefined);
  if (run) return { operationName: run.name?.value ?? null, type: run.operation };
  return { operationName: operationName ?? null, type: operations.some((o) => o.operation === 'mutation') ? ('mutation' as OperationTypeNode) : undefined };
}
