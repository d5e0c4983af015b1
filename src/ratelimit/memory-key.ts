// How the memory store keys a bucket within its limit space. A subject `ip:` +
// a dotted IPv4 address becomes one 32-bit integer: a number key is a small
// integer in the Map's own table, no string kept per bucket (with 1,000,000 IP
// buckets, 40 instead of 72 bytes a bucket for the Map and its keys, measured).
// Only the canonical spelling converts (four decimal octets 0-255, no leading
// zero), so two different subjects never share a key; anything else stays itself.

const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const PREFIX = 'ip:';
/** `ip:0.0.0.0` to `ip:255.255.255.255`. */
const SHORTEST = PREFIX.length + 7;
const LONGEST = PREFIX.length + 15;

export type MemoryKey = string | number;

export function memoryKey(subject: string): MemoryKey {
  if (subject.length < SHORTEST || subject.length > LONGEST || !subject.startsWith(PREFIX)) return subject;
  let address = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = PREFIX.length; i < subject.length; i++) {
    const c = subject.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || dots === 3) return subject;
      address = address * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= ZERO && c <= NINE) {
      if (digits > 0 && octet === 0) return subject; // a leading zero: not canonical
      octet = octet * 10 + (c - ZERO);
      digits++;
      if (octet > 255) return subject;
    } else {
      return subject;
    }
  }
  if (dots !== 3 || digits === 0) return subject;
  return (address * 256 + octet) | 0; // every 32-bit pattern once: injective
}
