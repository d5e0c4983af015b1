// Route `function: NAMESPACE/NAME` against the Kubernetes backend's --namespace
// (SPEC §5), and the flag itself.
import assert from 'node:assert/strict';
import { parseNamespaceFlag, qualifiedName, splitFunctionRef } from '../../../src/config/function-namespaces.js';
import type { RouteSpec } from '../../../src/config/types.js';
import { useConfigTree } from './fixture.js';

const route = (name: string, fn: string): string => `
  - name: ${name}
    match: { path: /${name} }
    auth: public
    function: ${fn}`;

describe('--namespace', () => {
  it('one name, a list (trimmed, duplicates once), or *', () => {
    assert.deepEqual(parseNamespaceFlag('functions'), { kind: 'list', names: ['functions'] });
    assert.deepEqual(parseNamespaceFlag('team-a, team-b,team-a'), { kind: 'list', names: ['team-a', 'team-b'] });
    assert.deepEqual(parseNamespaceFlag('*'), { kind: 'all' });
    assert.deepEqual(parseNamespaceFlag(undefined), { kind: 'list', names: [] });
  });

  it('refuses what is not a namespace name, saying which', () => {
    assert.match(String(parseNamespaceFlag('team-a,Team_B')), /"Team_B" is not a namespace name/);
    assert.match(String(parseNamespaceFlag('team-a,')), /"" is not a namespace name/);
    assert.match(String(parseNamespaceFlag('team-a,*')), /"\*" is not a namespace name/);
  });

  it('names functions bare in the first namespace, NAMESPACE/NAME elsewhere', () => {
    assert.equal(qualifiedName('team-a', 'orders', 'team-a'), 'orders');
    assert.equal(qualifiedName('team-b', 'orders', 'team-a'), 'team-b/orders');
    assert.deepEqual(splitFunctionRef('team-b/orders'), { namespace: 'team-b', name: 'orders' });
    assert.deepEqual(splitFunctionRef('orders'), { namespace: null, name: 'orders' });
  });
});

describe('config loading: functions in namespaces', () => {
  const tree = useConfigTree();
  const targets = (routes: readonly RouteSpec[]): string[] => routes.map((r) => (r.target.kind === 'function' ? r.target.name : ''));

  it('a watched namespace is fine; the first one spelled out is the bare name (one function)', async () => {
    tree().write('routes/a.yaml', `routes:${route('a', 'orders')}${route('b', 'team-b/orders')}${route('c', 'team-a/orders')}`);
    const config = await tree().config({ namespaces: { kind: 'list', names: ['team-a', 'team-b'] } });
    assert.deepEqual(targets(config.routes), ['orders', 'team-b/orders', 'orders']);
  });

  it('a namespace the gateway does not watch, at the function name', async () => {
    tree().write('routes/a.yaml', `routes:${route('a', 'team-b/orders')}${route('b', 'team-z/orders')}`);
    assert.deepEqual(await tree().problems({ namespaces: { kind: 'list', names: ['team-a', 'team-b'] } }), [
      'routes/a.yaml:9:15: function "team-z/orders" is in namespace "team-z", which the gateway does not watch (--namespace team-a,team-b)',
    ]);
  });

  it('without --namespace only the kubeconfig namespace is watched: any NAMESPACE/ is a problem', async () => {
    tree().write('routes/a.yaml', `routes:${route('a', 'team-b/orders')}`);
    assert.deepEqual(await tree().problems({ namespaces: { kind: 'list', names: [] } }), [
      'routes/a.yaml:5:15: function "team-b/orders" is in namespace "team-b", but the gateway watches only its kubeconfig namespace (list namespaces with --namespace)',
    ]);
  });

  it('with *, never a problem, and the name is kept as written', async () => {
    tree().write('routes/a.yaml', `routes:${route('a', 'team-b/orders')}${route('b', 'orders')}`);
    assert.deepEqual(targets((await tree().config({ namespaces: { kind: 'all' } })).routes), ['team-b/orders', 'orders']);
  });

  it('the local backend has no namespaces; a bad namespace or name is named', async () => {
    tree().write('routes/a.yaml', `routes:${route('a', 'team-b/orders')}`);
    assert.deepEqual(await tree().problems(), ['routes/a.yaml:5:15: function "team-b/orders" names a namespace: only the Kubernetes backend has namespaces']);
    tree().write('routes/a.yaml', `routes:${route('a', 'Team/orders')}${route('b', 'team-b/Orders')}`);
    assert.deepEqual(await tree().problems({ namespaces: { kind: 'all' } }), [
      'routes/a.yaml:5:15: namespace "Team" of function "Team/orders" must be a DNS-1123 label',
      'routes/a.yaml:9:15: function name "Orders" must be a DNS-1123 label (lower-case letters, digits, "-")',
    ]);
  });
});
