import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { projectRoot } from '../../lib/project-root';
import { supergraphPath } from '../../schema/subgraphs';
import { defaultOperationLimits, operationCost, readListSizes } from '../../gateway/operation-limits';
import { selectionsWithoutCacheKey } from '../helpers/cache-keys';

/**
 * The README's GraphQL examples are what front-end teams and analysts copy first: each must be
 * an operation the gateway would accept, against the schema it serves (the committed supergraph),
 * with room to spare under the cost limit.
 */
describe('the README’s GraphQL examples', () => {
  const readme = fs.readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
  const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]);
  const supergraphSdl = fs.readFileSync(supergraphPath, 'utf8');
  const schema = buildSchema(supergraphSdl);
  const listSizes = readListSizes(supergraphSdl);

  it('are there to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(9);
  });

  it.each(examples.map((example, i) => [i + 1, example.split('\n')[0], example]))('#%i (%s) is valid against the served schema, within half the default cost', (_i, _first, example) => {
    const errors = validate(schema, parse(example)).map((e) => e.message);
    expect(errors).toEqual([]);
    expect(operationCost(schema, parse(example), undefined, {}, listSizes)).toBeLessThanOrEqual(defaultOperationLimits.cost / 2);
  });

  it.each(examples.map((example, i) => [i + 1, example.split('\n')[0], example]))('#%i (%s) selects the key README gives a client cache, wherever it selects a type keyed other than by id', (_i, _first, example) => {
    expect(selectionsWithoutCacheKey(schema, parse(example))).toEqual([]);
  });
});
