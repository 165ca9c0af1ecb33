/**
 * Who hears of a change in a channel: its subscribers (or its server's whole-server subscribers,
 * for `channel_activity`), less every member who cannot see it (api.md "What a member cannot see
 * does not exist for them"). Built over the kept subscriber lists (realtime/audiences.ts).
 *
 * Beside the list's token the lookup reads the server's roles item (its `version` goes up with
 * every change to anyone's permissions, in the change's own transaction: roles, a member's roles
 * or timeout, a channel's overwrites) and the channel (its overwrites): the very items a send's
 * authorization reads, so joined to its BatchGetItem they add no request (a key asked twice is
 * read once, store/batchGet.ts). A filtered list is kept for (token, roles version, overwrites);
 * when any of them moved it is filtered again, reading the member items of the subscribers not
 * read under this version (one BatchGetItem per 100). A channel every member sees (no overwrite
 * denies `VIEW_CHANNEL` and `@everyone` holds it: every channel of a server that made none
 * private) needs no member read at all.
 */
import { LRUCache } from "lru-cache";
import type { ChannelItem, Db, ServerRolesItem } from "../model/index.ts";
import { itemRead } from "../store/batchGet.ts";
import { getEach } from "../store/batches.ts";
import { readTogether } from "../store/readTogether.ts";
import type { ReadBatch } from "../store/readBatch.ts";
import { createAudienceCache, tokenOf, type AudienceCacheOptions, type KeptList } from "../realtime/audiences.ts";
import type { Recipient } from "../realtime/recipients.ts";
import type { ChannelAudience } from "../realtime/events.ts";
import { rolesRead } from "./grants.ts";
import { everyoneSeesChannel, type Viewer } from "./visibility.ts";
import { permissionsIn } from "./channelPermissions.ts";
import { PERMISSIONS, has } from "../permissions/bits.ts";


export interface ChannelAudiences {
  /**
   * The audience's connections, as a strongly consistent Query would answer now, less the members
   * who cannot see the channel. Its token, the roles item and the channel are read in `batch` when
   * given (joined now: call this before whatever sends the batch starts), else together (one BatchGetItem).
   */
  recipientsOf(audience: ChannelAudience, batch?: ReadBatch): Promise<Recipient[]>;
  /**
   * Of these recipients (connections of members of the server, or of former ones), those whose
   * member may see a channel with these overwrites, under this roles item. Server-level events
   * about one channel (`channel_created`, `channel_updated`, `channel_deleted`) ask this.
   */
  viewersAmong(serverId: string, roles: ServerRolesItem | null, channel: Pick<ChannelItem, "overwrites">, recipients: readonly Recipient[]): Promise<Recipient[]>;
  /** The same, each viewer with their permissions in the channel (member items are read even when everyone sees it). */
  permissionsAmong(
    serverId: string,
    roles: ServerRolesItem | null,
    channel: Pick<ChannelItem, "overwrites">,
    recipients: readonly Recipient[],
  ): Promise<Array<Recipient & { permissions: bigint }>>;
  /** A connection known to be closed: out of every kept list. */
  forget(connectionId: string): void;
}

interface KeptView {
  /** The list it was filtered from: one queried again is a new object. */
  from: KeptList;
  version: number;
  overwrites: string;
  recipients: Recipient[];
}

/** The member items read under one roles version, and the connections they were read for. */
interface KeptMembers {
  version: number;
  members: Map<string, Viewer | null>;
  readFor: Set<string>;
}

export function createChannelAudiences(db: Db, options: AudienceCacheOptions = {}): ChannelAudiences {
  const lists = createAudienceCache(db, options);
  const max = options.maxEntries ?? 1000;
  const views = new LRUCache<string, KeptView>({ max });
  const memberships = new LRUCache<string, KeptMembers>({ max });

  /**
   * The member items of these recipients' users as of roles `version`. A user is read again when
   * the version moved (roles, timeouts), or when one of their connections was not among those
   * read for: a member who left and came back has new connections (leaving closes the old ones).
   */
  async function membersOf(serverId: string, version: number, recipients: readonly Recipient[]): Promise<Map<string, Viewer | null>> {
    let entry = memberships.get(serverId);
    if (!entry || entry.version !== version) {
      entry = { version, members: new Map(), readFor: new Set() };
      memberships.set(serverId, entry);
    }
    const { members, readFor } = entry;
    const unread = [...new Set(recipients.filter((r) => !readFor.has(r.connectionId) || !members.has(r.userId)).map((r) => r.userId))];
    if (unread.length) {
      const found = await getEach(
        unread.map((userId) => ({ serverId, userId })),
        (keys) =>
          db.entities.members
            .get(keys)
            .go({ consistent: true, attributes: ["serverId", "userId", "roleIds", "timeoutUntil", "serverOwnerId", "serverCreatedAt"] }),
      );
      for (const userId of unread) members.set(userId, null);
      for (const m of found) members.set(m.userId, m);
    }
    for (const r of recipients) readFor.add(r.connectionId);
    return members;
  }

  async function permissionsAmong(serverId: string, roles: ServerRolesItem | null, channel: Pick<ChannelItem, "overwrites">, recipients: readonly Recipient[]) {
    const members = await membersOf(serverId, roles?.version ?? 0, recipients);
    const now = db.clock.now();
    return recipients.flatMap((r) => {
      const member = members.get(r.userId);
      const permissions = member ? permissionsIn(member, roles, channel, now) : 0n;
      return has(permissions, PERMISSIONS.VIEW_CHANNEL) ? [{ ...r, permissions }] : [];
    });
  }

  async function viewersAmong(serverId: string, roles: ServerRolesItem | null, channel: Pick<ChannelItem, "overwrites">, recipients: readonly Recipient[]) {
    if (everyoneSeesChannel(serverId, roles, channel)) return [...recipients];
    return (await permissionsAmong(serverId, roles, channel, recipients)).map(({ permissions: _, ...r }) => r);
  }

  return {
    async recipientsOf(audience, batch) {
      const { serverId, channelId } = audience;
      const partition = audience.wholeServer ? serverId : channelId;
      const reads = {
        token: itemRead(db.entities.audiences, { channelId: partition }),
        roles: rolesRead(db, serverId),
        channel: itemRead(db.entities.channels, { serverId, channelId }),
      };
      const [token, roles, channel] = batch
        ? await Promise.all([batch.join(reads.token, { consistent: true }), batch.join(reads.roles, { consistent: true }), batch.join(reads.channel, { consistent: true })])
        : await readTogether(db, reads, { consistent: true }).then((f) => [f.token, f.roles, f.channel] as const);
      // A channel gone (deleted meanwhile): nobody is to hear of it.
      if (!channel) return [];
      const list = await lists.listUnder(partition, tokenOf(token));
      const version = roles?.version ?? 0;
      const overwrites = JSON.stringify(channel.overwrites ?? []);
      const key = `${partition}\u0000${channelId}`;
      const hit = views.get(key);
      if (hit && hit.from === list && hit.version === version && hit.overwrites === overwrites) return hit.recipients;
      const recipients = await viewersAmong(serverId, roles, channel, list.recipients);
      views.set(key, { from: list, version, overwrites, recipients });
      return recipients;
    },
    viewersAmong,
    permissionsAmong,
    forget(connectionId) {
      lists.forget(connectionId);
      for (const view of views.values()) {
        const left = view.recipients.filter((r) => r.connectionId !== connectionId);
        if (left.length < view.recipients.length) view.recipients = left;
      }
    },
  };
}
