// A function's endpoints from its EndpointSlices (SPEC §5): the addresses that
// are ready and not terminating, on the port named `http`, else the first. Pure.
import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { Endpoint } from '../../types.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function serviceOf(slice: V1EndpointSlice): string | undefined {
  return slice.metadata?.labels?.[SERVICE_NAME_LABEL];
}

export function endpointsOf(slices: Iterable<V1EndpointSlice>): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const slice of slices) {
    const port = (slice.ports ?? []).find((p) => p.name === 'http') ?? slice.ports?.[0];
    if (port?.port === undefined) continue;
    for (const endpoint of slice.endpoints ?? []) {
      // ready: nil means "unknown", which Kubernetes says to treat as ready.
      if (endpoint.conditions?.ready === false || endpoint.conditions?.terminating === true) continue;
      for (const address of endpoint.addresses ?? []) {
        const host = address.includes(':') ? `[${address}]` : address;
        const id = `${host}:${port.port}`;
        // The same address can sit in two slices during a handover: one endpoint.
        if (!seen.has(id)) seen.set(id, Object.freeze({ id, host: address, port: port.port, origin: `http://${id}` }));
      }
    }
  }
  return [...seen.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
