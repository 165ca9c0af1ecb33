/**
 * What the sidebar lists: my servers and my DM conversations (most recent activity first), plus
 * every server's details (channels with their newest message, my role), for the unread marks:
 * all servers' in one request (`load`), one server's when only it changed (`loadDetail`).
 */
import { SvelteMap } from "svelte/reactivity";
import type { Channel, DmConversation, DmMessage, ReadState, Server, ServerDetail, ServerRole, User } from "@agorusta/core/views";
import { detailsPageChannels, pageLimits } from "@agorusta/core/schemas";
import { api, send, session } from "./session.svelte.ts";

type Status = "loading" | "ready" | "error";

class Directory {
  servers = $state.raw<Server[]>([]);
  dms = $state.raw<DmConversation[]>([]);
  status = $state<Status>("loading");
  details = new SvelteMap<string, ServerDetail>();
  /**
   * The servers the first `load` listed: the catch-up of the connection's first open reads them
   * all again once their subscriptions hold (serverWatch.svelte.ts), whenever that answer lands.
   */
  firstListed = new Set<string>();

  /**
   * Every server with its details, and (unless `dms` is false) the DM conversations. `dms: false`
   * is the catch-up of the connection's first open (serverWatch.svelte.ts): the conversations were
   * read moments before, and what started since is found in the read states (`adoptDms`).
   */
  load(options: { dms?: boolean } = {}): Promise<void> {
    return this.#load(options).finally(() => this.#listed.resolve());
  }

  /** The first load's end (whether or not it is under way yet): a page that needs a server's details waits for it rather than asking for them alone. */
  #listed = Promise.withResolvers<void>();

  async #load({ dms: withDms = true }: { dms?: boolean }): Promise<void> {
    // Loading again after a reconnect: the lists stay on screen meanwhile (no flash of placeholders).
    const again = this.status === "ready";
    if (!again) this.status = "loading";
    try {
      // Every server with its channels and their newest messages (the rail marks unread servers)
      // in one request however many servers, at start and after a reconnect (issue 27 item 3).
      const [details, dms] = await Promise.all([readDetails(), withDms ? readDms() : null]);
      for (const detail of details) this.details.set(detail.id, detail);
      if (!again) for (const detail of details) this.firstListed.add(detail.id);
      this.servers = details;
      if (dms) this.dms = dms;
      this.status = "ready";
    } catch {
      if (!again) this.status = "error";
    }
  }

  /**
   * The read states list every DM conversation of mine; one the sidebar does not know was
   * started (or, beyond the listed page, woken) after `GET /dms` was read and before the socket
   * opened, when no event could tell of it. When the list holds all my conversations (fewer than
   * a page), each unknown one is read by itself (only those started in that moment: none, nearly
   * always); when it is a full page, unknown ones with something unread for me make it read again.
   */
  async adoptDms(states: readonly ReadState[]): Promise<void> {
    const known = new Set(this.dms.map((d) => d.id));
    const unknown = states.filter((s) => s.conversationId !== null && !known.has(s.conversationId));
    if (unknown.length === 0) return;
    if (this.dms.length >= pageLimits.dms) {
      if (!unknown.some((s) => s.mentionCount > 0)) return;
      this.dms = await readDms();
      return;
    }
    await Promise.all(unknown.map(async (s) => this.upsertDm(await send(api.dms[":id"].$get({ param: { id: s.conversationId! } })))));
  }

  clear(): void {
    this.servers = [];
    this.dms = [];
    this.details.clear();
    this.firstListed.clear();
    this.#fetching.clear();
    this.#listed = Promise.withResolvers<void>();
    this.status = "loading";
  }

  /** After creating or joining one. */
  addServer(server: Server): void {
    if (!this.servers.some((s) => s.id === server.id)) this.servers = [...this.servers, server];
  }

  /** Fetches of details under way: a second ask while one is in flight shares it (it is just as fresh). */
  #fetching = new Map<string, Promise<ServerDetail>>();

  loadDetail(serverId: string): Promise<ServerDetail> {
    const inFlight = this.#fetching.get(serverId);
    if (inFlight) return inFlight;
    const fetching = send(api.servers[":id"].$get({ param: { id: serverId } }))
      .then((detail) => {
        this.details.set(serverId, detail);
        this.addServer(detail);
        return detail;
      })
      .finally(() => this.#fetching.get(serverId) === fetching && this.#fetching.delete(serverId));
    this.#fetching.set(serverId, fetching);
    return fetching;
  }

  /**
   * A server's details without a request of its own when the directory holds them, or is
   * loading every server's at the first start (a server page opened by its URL: issue 27
   * item 3); fetched alone only when they are not there (a server just joined, or not mine).
   * What the directory holds is kept current by the server's events, the catch-ups once its
   * subscription holds, and `refresh`.
   */
  async detail(serverId: string): Promise<ServerDetail> {
    if (this.status === "loading") await this.#listed.promise;
    return this.details.get(serverId) ?? this.loadDetail(serverId);
  }

  /** The server's facts changed (its icon): the rail and its details show the new ones. */
  updateServer(server: Pick<Server, "id"> & Partial<Server>): void {
    this.servers = this.servers.map((s) => (s.id === server.id ? { ...s, ...server } : s));
    const detail = this.details.get(server.id);
    if (detail) this.details.set(server.id, { ...detail, ...server });
  }

  /** Off the rail at once (the server, if it was there); its details stay until `forgetDetail`, for a page still showing it. */
  removeServer(serverId: string): Server | undefined {
    const server = this.servers.find((s) => s.id === serverId);
    if (server) this.servers = this.servers.filter((s) => s.id !== serverId);
    this.firstListed.delete(serverId);
    return server;
  }

  forgetDetail(serverId: string): void {
    this.details.delete(serverId);
  }

  /** Someone's other tab (or device) joined a server: it appears here too. */
  async joinedElsewhere(serverId: string): Promise<void> {
    if (this.servers.some((s) => s.id === serverId)) return;
    await this.loadDetail(serverId).catch(() => {});
  }

  addChannel(channel: Channel): void {
    const detail = this.details.get(channel.serverId);
    if (detail && !detail.channels.some((c) => c.id === channel.id)) {
      this.details.set(channel.serverId, { ...detail, channels: [...detail.channels, channel] });
    }
  }

  /** A channel's new facts (renamed, moved, its topic or overwrites); the caller's own `permissions` in it stay until the details are fetched again. */
  updateChannel(channel: Channel): void {
    const detail = this.details.get(channel.serverId);
    if (!detail) return;
    const channels = detail.channels.map((c) => (c.id === channel.id ? { ...c, ...channel, permissions: c.permissions ?? channel.permissions } : c));
    this.details.set(channel.serverId, { ...detail, channels });
  }

  /** Deleted, or no longer visible to this person. */
  removeChannel(serverId: string, channelId: string): Channel | undefined {
    const detail = this.details.get(serverId);
    const channel = detail?.channels.find((c) => c.id === channelId);
    if (detail && channel) this.details.set(serverId, { ...detail, channels: detail.channels.filter((c) => c.id !== channelId) });
    return channel;
  }

  /** A role created or changed (by an event, or by this tab's own request). */
  putRole(serverId: string, role: ServerRole): void {
    const detail = this.details.get(serverId);
    if (!detail) return;
    const roles = [...(detail.roles ?? []).filter((r) => r.id !== role.id), role].sort((a, b) => a.position - b.position);
    this.details.set(serverId, { ...detail, roles });
  }

  setRoles(serverId: string, roles: ServerRole[]): void {
    const detail = this.details.get(serverId);
    if (detail) this.details.set(serverId, { ...detail, roles: [...roles].sort((a, b) => a.position - b.position) });
  }

  removeRole(serverId: string, roleId: string): void {
    const detail = this.details.get(serverId);
    if (detail) this.details.set(serverId, { ...detail, roles: (detail.roles ?? []).filter((r) => r.id !== roleId) });
  }

  #again = new Set<string>();

  /**
   * The caller's permissions are computed by the API: after a change that may move them (a role,
   * an overwrite, one's own roles or timeout) the details are fetched again. Changes that come
   * together cost one fetch after the one in flight, not one each.
   */
  refresh(serverId: string): void {
    if (!this.details.has(serverId)) return;
    const inFlight = this.#fetching.get(serverId);
    if (!inFlight) return void this.loadDetail(serverId).catch(() => {});
    if (this.#again.has(serverId)) return;
    this.#again.add(serverId);
    void inFlight.finally(() => {
      this.#again.delete(serverId);
      void this.loadDetail(serverId).catch(() => {});
    });
  }

  upsertDm(conversation: DmConversation): void {
    this.dms = sortByActivity([conversation, ...this.dms.filter((d) => d.id !== conversation.id)]);
  }

  /** A DM message arrived on the socket. */
  async dmReceived(message: DmMessage): Promise<void> {
    const known = this.dms.find((d) => d.id === message.conversationId);
    // One's own message (from another device) is not news here: the device that sent it reads it.
    const newest = message.authorId === session.me?.id ? known?.lastMessageId ?? null : message.id;
    if (known) return this.upsertDm({ ...known, lastMessageAt: message.createdAt, lastMessageId: newest });
    // Someone started a conversation with me: fetch it to learn who.
    this.upsertDm(await send(api.dms[":id"].$get({ param: { id: message.conversationId } })));
  }
}

/** The other person in a conversation. */
export function otherParticipant(conversation: DmConversation): User {
  const [a, b] = conversation.participants;
  return a.id === session.me?.id ? b : a;
}

/**
 * Every server of mine with its details: one answer, unless it is full (`detailsPageChannels`
 * visible channels, some 3.5 MB: only for someone in hundreds of large servers), then the next.
 */
async function readDetails(): Promise<ServerDetail[]> {
  const all: ServerDetail[] = [];
  for (;;) {
    const after = all.at(-1)?.id;
    const page = (await send(api.servers.$get({ query: { include: "details", ...(after ? { after } : {}) } }))) as ServerDetail[];
    const known = all.length;
    for (const detail of page) if (!all.some((d) => d.id === detail.id)) all.push(detail);
    // Not full: that was the last. (Nothing new: `after` was a server left meanwhile, and the answer began again.)
    if (page.reduce((n, d) => n + d.channels.length, 0) < detailsPageChannels || all.length === known) return all;
  }
}

/** My DM conversations, most recent activity first: as many as a page holds. */
const readDms = () => send(api.dms.$get({ query: { limit: String(pageLimits.dms) } }));

const activity = (d: DmConversation) => d.lastMessageAt ?? d.createdAt;
const sortByActivity = (list: DmConversation[]) => list.sort((a, b) => activity(b).localeCompare(activity(a)));

export const directory = new Directory();
