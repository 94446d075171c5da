import { isIPv6 } from 'node:net';

/**
 * The client's key: its address, an IPv6 address reduced to its /64 (one subscriber usually owns a
 * whole /64 and could otherwise rotate through it), an IPv4-mapped IPv6 address to the IPv4 one.
 */
export function clientKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  if (!isIPv6(ip)) return ip.toLowerCase();
  const address = ip.split('%')[0]!.toLowerCase();
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const part = (text: string) => (text === '' ? [] : text.split(':'));
  const fromDotted = (groups: string[]) => {
    const last = groups.at(-1);
    if (last === undefined || !last.includes('.')) return groups;
    const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number];
    return [...groups.slice(0, -1), ((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
  };
  const left = fromDotted(part(head));
  const right = tail === undefined ? [] : fromDotted(part(tail));
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const hextets = groups.map((group) => Number.parseInt(group, 16));
  if (hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) {
    const [high = 0, low = 0] = hextets.slice(6);
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return `${hextets
    .slice(0, 4)
    .map((h) => h.toString(16))
    .join(':')}::/64`;
}
