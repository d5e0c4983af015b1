// Deep freeze for the config objects (STYLE rule 13: copied and frozen at the
// boundary), so nothing downstream can change a route another request is using.

/** Freezes plain objects, arrays and Map values, recursively; returns `value`. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  if (value instanceof Map) {
    for (const v of value.values()) deepFreeze(v);
  } else if (Array.isArray(value)) {
    for (const v of value) deepFreeze(v);
  } else if (isPlain(value)) {
    // Data properties only: an accessor (a position resolved on first read,
    // positions.ts) is left unread, so freezing does not resolve it.
    for (const key of Object.keys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor !== undefined && 'value' in descriptor) deepFreeze(descriptor.value);
    }
  } else {
    // URL and the like keep their state in internal slots that freezing does not reach.
    return value;
  }
  return Object.freeze(value);
}

function isPlain(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
