import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { perOperationText } from '../../gateway/per-operation-text';

describe("the gateway's checks of an operation's text", () => {
  const schema = buildSchema('type Query { a: Int b: Int }');
  const operations = (text: string) => {
    const document = parse(text);
    return { document, operations: document.definitions as OperationDefinitionNode[] };
  };

  it('are made once per schema and parsed operation: again for another operation, another parse of the same text, or another schema', () => {
    const walked: string[] = [];
    const check = perOperationText((_schema, _document, operation) => {
      walked.push(operation.name?.value ?? '');
      return walked.length;
    });
    const { document, operations: [a, b] } = operations('query A { a } query B { b }');
    expect(check(schema, document, a)).toBe(1);
    expect(check(schema, document, a)).toBe(1);
    expect(check(schema, document, b)).toBe(2);
    const again = operations('query A { a } query B { b }');
    expect(check(schema, again.document, again.operations[0])).toBe(3);
    const served = buildSchema('type Query { a: Int b: Int c: Int }');
    expect(check(served, document, a)).toBe(4);
    expect(walked).toEqual(['A', 'B', 'A', 'A']);
  });

  it('remember an operation that passed (nothing found) as well as one refused', () => {
    let walks = 0;
    const check = perOperationText(() => {
      walks += 1;
      return undefined;
    });
    const { document, operations: [a] } = operations('{ a }');
    expect(check(schema, document, a)).toBeUndefined();
    expect(check(schema, document, a)).toBeUndefined();
    expect(walks).toBe(1);
  });
});
