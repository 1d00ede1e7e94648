import { BlockList, isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { WorklinkError } from '../errors.js';

/** Decides whether an SMTP client may connect, from `WORKLINK_SMTP_ALLOWED_HOSTS`. */
export interface ClientAllowList {
  allows(remoteAddress: string): boolean;
}

/** `::ffff:127.0.0.1` is how a dual-stack socket reports an IPv4 client. */
function unmapIpv4(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function addEntry(list: BlockList, address: string, prefix?: number): void {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (prefix === undefined) {
    list.addAddress(address, family);
  } else {
    list.addSubnet(address, prefix, family);
  }
}

/**
 * Builds the allow-list from entries that are IP addresses (`192.0.2.10`,
 * `::1`), CIDR subnets (`10.0.0.0/8`) or host names. `localhost` means
 * the loopback addresses. Any other host name is resolved once, here, so it
 * should name a relay with a fixed address. An empty list allows any client.
 * Throws `WORKLINK_CONFIG_INVALID` for an invalid subnet or a name that does not resolve.
 */
export async function createClientAllowList(entries: readonly string[]): Promise<ClientAllowList> {
  if (entries.length === 0) {
    return { allows: () => true };
  }

  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefixText] = entry.split('/');
    if (isIP(address) !== 0) {
      const prefix = prefixText === undefined ? undefined : Number(prefixText);
      const maxPrefix = isIP(address) === 6 ? 128 : 32;
      if (prefix !== undefined && (!Number.isInteger(prefix) || prefix < 0 || prefix > maxPrefix)) {
        throw new WorklinkError('WORKLINK_CONFIG_INVALID', {
          en: `WORKLINK_SMTP_ALLOWED_HOSTS entry "${entry}" has an invalid prefix length: write a subnet as 10.0.0.0/8.`,
          pl: `Wpis "${entry}" w WORKLINK_SMTP_ALLOWED_HOSTS ma nieprawidłową długość prefiksu: zapisz podsieć w postaci 10.0.0.0/8.`,
        });
      }
      addEntry(list, address, prefix);
    } else if (entry.toLowerCase() === 'localhost') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
    } else {
      const resolved = await lookup(entry, { all: true }).catch((error: unknown) => {
        throw new WorklinkError(
          'WORKLINK_CONFIG_INVALID',
          {
            en: `WORKLINK_SMTP_ALLOWED_HOSTS entry "${entry}" could not be resolved: list its IP address instead.`,
            pl: `Nie udało się rozpoznać nazwy hosta z wpisu "${entry}" w WORKLINK_SMTP_ALLOWED_HOSTS: wpisz zamiast niej adres IP tego hosta.`,
          },
          { cause: error },
        );
      });
      for (const { address: resolvedAddress } of resolved) {
        addEntry(list, resolvedAddress);
      }
    }
  }

  return {
    allows(remoteAddress: string): boolean {
      const address = unmapIpv4(remoteAddress);
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      return isIP(address) !== 0 && list.check(address, family);
    },
  };
}
