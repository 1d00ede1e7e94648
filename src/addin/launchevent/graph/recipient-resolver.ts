/**
 * Finds connected mailboxes behind internal addresses that the directory does not list, with
 * Microsoft Graph: an alias resolves to its mailbox through `proxyAddresses` (`SMTP:` marks the
 * primary address), and a distribution list through its transitive members. Each round sends
 * one `$batch` per 20 lookups: users (or groups, for a recipient Outlook marks as a
 * distribution list) first, then groups for the misses Outlook did not mark as users, then the
 * members of the groups found.
 */
import type { Directory, Recipient } from '../../../core/api-types.js';
import type { Clock } from '../../shared/backend-client.js';
import { splitPlusAddress } from '../../../core/plus-address.js';
import type { Logger } from '../completion.js';
import { describeError } from '../completion.js';
import type { TokenProvider } from '../auth/token-provider.js';
import type { GraphBatchResponse, GraphFetch, GraphGet } from './graph-batch.js';
import { GraphLookupError, sendBatches } from './graph-batch.js';
import type { LookupCache, LookupResult } from './lookup-cache.js';
import type { LookupTarget } from './lookup-targets.js';
import { directoryAddresses, lookupTargets } from './lookup-targets.js';

/** Transitive members read per group; Graph's maximum page size for this request. */
export const MAX_MEMBERS_READ = 999;

type Step = { kind: 'user' } | { kind: 'group' } | { kind: 'members'; groupId: string };

interface Lookup {
  target: LookupTarget;
  step: Step | null;
  result?: LookupResult;
}

export interface RecipientResolver {
  /**
   * Returns, by lower-case address without tag, what Graph found for the internal recipients
   * that the directory does not list. Addresses whose lookup failed are missing, so
   * their recipients go to the server as they are. Never rejects.
   */
  resolve(recipients: readonly Recipient[], directory: Directory, timeoutMs: number): Promise<LookupMap>;
}

export type LookupMap = { [address: string]: LookupResult };

export interface RecipientResolverOptions {
  fetch: GraphFetch;
  tokens: TokenProvider;
  cache: LookupCache;
  clock: Clock;
  log: Logger;
}

/** Returns the key under which `resolve` reports a recipient's address. */
export function lookupKey(recipient: Recipient, directory: Directory): string {
  return splitPlusAddress(recipient.emailAddress, directory.settings.plusAddressing.separator || '+').base;
}

/** Adds what Graph found to each recipient whose address it resolved to a connected mailbox. */
export function withResolvedAddresses(recipients: Recipient[], lookups: LookupMap, directory: Directory): Recipient[] {
  return recipients.map((recipient) => {
    const found = lookups[lookupKey(recipient, directory)];
    if (!found || !found.mailbox) return recipient;
    const resolved: Recipient = { ...recipient, resolvedAddress: found.mailbox };
    if (found.via) resolved.resolvedVia = found.via;
    return resolved;
  });
}

/** Quotes a value for an OData string literal, where a single quote is written twice. */
function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function proxyFilter(address: string): string {
  return encodeURIComponent(`proxyAddresses/any(p:p eq ${odataString(`smtp:${address}`)})`);
}

function requestUrl(lookup: Lookup): string {
  const step = lookup.step as Step;
  if (step.kind === 'user') return `/users?$filter=${proxyFilter(lookup.target.address)}&$select=mail,proxyAddresses`;
  if (step.kind === 'group') {
    return `/groups?$filter=${proxyFilter(lookup.target.address)}&$select=id,mail,proxyAddresses`;
  }
  return (
    `/groups/${encodeURIComponent(step.groupId)}/transitiveMembers/microsoft.graph.user` +
    `?$select=mail,proxyAddresses&$top=${MAX_MEMBERS_READ}`
  );
}

/** Lists the lower-case SMTP addresses of a user or group: `mail` and every `smtp:` proxy address. */
function addressesOf(entry: unknown): string[] {
  if (!entry || typeof entry !== 'object') return [];
  const value = entry as { mail?: unknown; proxyAddresses?: unknown };
  const addresses: string[] = [];
  if (Array.isArray(value.proxyAddresses)) {
    // The primary address (`SMTP:`) first, then the others.
    const proxies = value.proxyAddresses.filter((proxy): proxy is string => typeof proxy === 'string');
    for (const proxy of proxies) if (proxy.slice(0, 5) === 'SMTP:') addresses.push(proxy.slice(5).toLowerCase());
    for (const proxy of proxies) if (proxy.slice(0, 5) === 'smtp:') addresses.push(proxy.slice(5).toLowerCase());
  }
  if (typeof value.mail === 'string') addresses.push(value.mail.toLowerCase());
  return addresses;
}

function valuesOf(response: GraphBatchResponse): unknown[] {
  const body = response.body as { value?: unknown } | null | undefined;
  return body && Array.isArray(body.value) ? body.value : [];
}

/** Moves a lookup on by one Graph response: to a result, or to its next step. */
function advance(lookup: Lookup, response: GraphBatchResponse, known: { [address: string]: string }): void {
  const step = lookup.step as Step;
  const found = valuesOf(response);
  const connected = (entry: unknown) => {
    for (const address of addressesOf(entry)) if (known[address]) return known[address] as string;
    return null;
  };

  if (step.kind === 'members') {
    // NOTE: only the first page of members is read (`@odata.nextLink` is not followed), and a
    // list with several connected mailboxes reports the first one found.
    for (const member of found) {
      const mailbox = connected(member);
      if (mailbox) {
        lookup.result = { mailbox, via: 'group-member' };
        lookup.step = null;
        return;
      }
    }
    lookup.result = { mailbox: null };
    lookup.step = null;
    return;
  }

  const entry = found[0];
  if (entry) {
    const mailbox = connected(entry);
    const groupId = (entry as { id?: unknown }).id;
    if (mailbox) {
      lookup.result = { mailbox, via: 'proxy-address' };
      lookup.step = null;
    } else if (step.kind === 'group' && typeof groupId === 'string' && groupId !== '') {
      lookup.step = { kind: 'members', groupId };
    } else {
      lookup.result = { mailbox: null };
      lookup.step = null;
    }
    return;
  }

  // No user has the address, so it may be a group unless Outlook marks it as a user.
  const type = lookup.target.recipientType;
  if (step.kind === 'user' && type !== 'user' && type !== 'externalUser') {
    lookup.step = { kind: 'group' };
  } else {
    lookup.result = { mailbox: null };
    lookup.step = null;
  }
}

export function createRecipientResolver(options: RecipientResolverOptions): RecipientResolver {
  const { tokens, cache, clock, log } = options;

  async function lookUp(targets: LookupTarget[], directory: Directory, timeoutMs: number): Promise<LookupMap> {
    const token = await tokens.graphToken();
    if (!token) {
      log.info(`worklink: no Graph token; ${targets.length} internal address(es) go to the server unresolved`);
      return {};
    }

    const known = directoryAddresses(directory);
    const deadline = clock.now() + timeoutMs;
    const lookups: Lookup[] = targets.map((target) => ({
      target,
      step: target.recipientType === 'distributionList' ? { kind: 'group' } : { kind: 'user' },
    }));

    // Three rounds at most: users or groups, then groups, then members.
    for (let round = 0; round < 3; round++) {
      const active = lookups.filter((lookup) => lookup.step !== null);
      if (active.length === 0) break;
      const requests: GraphGet[] = active.map((lookup, index) => ({ id: String(index + 1), url: requestUrl(lookup) }));

      const responses = await sendBatches(requests, { fetch: options.fetch, token, timeoutMs: deadline - clock.now() });
      active.forEach((lookup, index) => {
        const response = responses[String(index + 1)];
        if (response && response.status >= 200 && response.status < 300) {
          advance(lookup, response, known);
        } else {
          // Throttled or forbidden: leave it unresolved and uncached, so the next send looks it up again.
          log.warn(
            `worklink: Graph returned ${response ? `status ${response.status}` : 'no response'} for a recipient lookup`,
          );
          lookup.step = null;
        }
      });
    }

    const results: LookupMap = {};
    for (const lookup of lookups) if (lookup.result) results[lookup.target.address] = lookup.result;
    if (Object.keys(results).length > 0) {
      await cache.write(results).catch((error: unknown) => {
        log.warn('worklink: could not store the Graph lookups', describeError(error));
      });
    }
    return results;
  }

  return {
    async resolve(recipients, directory, timeoutMs) {
      const targets = lookupTargets(recipients, directory);
      if (targets.length === 0) return {};

      let cached: LookupMap = {};
      try {
        cached = await cache.read(targets.map((target) => target.address));
      } catch (error) {
        log.warn('worklink: could not read the cached Graph lookups', describeError(error));
      }
      const missing = targets.filter((target) => !Object.prototype.hasOwnProperty.call(cached, target.address));
      if (missing.length === 0) return cached;

      try {
        const fresh = await lookUp(missing, directory, timeoutMs);
        for (const address of Object.keys(fresh)) cached[address] = fresh[address] as LookupResult;
      } catch (error) {
        // The server still classifies these recipients by their own addresses, so none is dropped.
        log.warn('worklink: Graph recipient lookup failed; asking for a plan without it', describeError(error));
        if (error instanceof GraphLookupError && error.status === 401) {
          await tokens.forget('graph');
        }
      }
      return cached;
    },
  };
}
