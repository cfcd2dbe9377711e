import { operationSent } from '../../gateway/explorer/client/operation-sent';

describe("the explorer's operation sent, read from the text sent", () => {
  const check = 'mutation DepartmentCreditCheck($code: String!) { runCreditCheck(code: $code) { id } }';
  const two = 'query SubjectProfile { subject(code: "x") { name } }\nmutation DepartmentCreditCheck { runCreditCheck(code: "x") { id } }';

  it("replaces a name the text does not hold (GraphiQL's, from the previous tab) with its only operation's", () => {
    expect(operationSent(check, 'SubjectProfile')).toEqual({ operationName: 'DepartmentCreditCheck', type: 'mutation' });
    expect(operationSent(check, null)).toEqual({ operationName: 'DepartmentCreditCheck', type: 'mutation' });
    expect(operationSent('{ subject(code: "x") { name } }', 'DepartmentCreditCheck')).toEqual({ operationName: null, type: 'query' });
  });

  it('keeps a name the text holds, and its type', () => {
    expect(operationSent(two, 'SubjectProfile')).toEqual({ operationName: 'SubjectProfile', type: 'query' });
    expect(operationSent(two, 'DepartmentCreditCheck')).toEqual({ operationName: 'DepartmentCreditCheck', type: 'mutation' });
  });

  it('where the text does not tell which runs, sends what it was given and counts it a mutation if any operation is one', () => {
    expect(operationSent(two, 'Gone')).toEqual({ operationName: 'Gone', type: 'mutation' });
    expect(operationSent(two, undefined)).toEqual({ operationName: null, type: 'mutation' });
    expect(operationSent('query A { a } query B { b }', 'C')).toEqual({ operationName: 'C', type: undefined });
  });

  it('leaves text that does not parse to the gateway to refuse', () => {
    expect(operationSent('mutation {', 'DepartmentCreditCheck')).toEqual({ operationName: 'DepartmentCreditCheck', type: undefined });
  });
});
