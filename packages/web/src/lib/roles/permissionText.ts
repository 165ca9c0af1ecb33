/**
 * Every permission as a person reads it: a name and one sentence saying what it allows here
 * (api.md's table, in words), in the groups Discord's settings use. The role editor and the
 * channel permissions editor both list these; a channel's editor only those a channel can carry.
 */
import { CHANNEL_PERMISSIONS, PERMISSIONS, type PermissionName } from "@agorusta/core/permissions";

export interface PermissionText {
  name: PermissionName;
  label: string;
  sentence: string;
  /** In a channel the sentence may differ ("in this channel"). */
  channelSentence?: string;
}

export interface PermissionGroup {
  title: string;
  items: PermissionText[];
}

export const PERMISSION_GROUPS: PermissionGroup[] = [
  {
    title: "General",
    items: [
      { name: "VIEW_CHANNEL", label: "View channels", sentence: "Lets members see channels and read what is posted in them live. Take it away to make a channel private.", channelSentence: "Lets members see this channel at all. Deny it to @everyone and allow it to a role to make the channel private." },
      { name: "MANAGE_CHANNELS", label: "Manage channels", sentence: "Lets members create, rename, edit, reorder and delete channels and categories.", channelSentence: "Lets members rename, edit and delete this channel." },
      { name: "MANAGE_ROLES", label: "Manage roles", sentence: "Lets members create, edit and delete roles below their own, give and take them, and edit channel permissions.", channelSentence: "Lets members edit this channel's permissions." },
      { name: "VIEW_AUDIT_LOG", label: "View audit log", sentence: "Lets members read the record of who changed what in this server." },
      { name: "MANAGE_GUILD", label: "Manage server", sentence: "Lets members rename the server, change its icon, manage invites and join passwords." },
      { name: "MANAGE_WEBHOOKS", label: "Manage webhooks", sentence: "Lets members create, edit and delete webhooks that post into channels.", channelSentence: "Lets members manage this channel's webhooks." },
    ],
  },
  {
    title: "Membership",
    items: [
      { name: "CREATE_INSTANT_INVITE", label: "Create invite", sentence: "Lets members invite new people to this server.", channelSentence: "Lets members create invites from this channel." },
      { name: "KICK_MEMBERS", label: "Kick members", sentence: "Lets members remove members ranked below them from the server. They can come back with a new invite." },
      { name: "BAN_MEMBERS", label: "Ban members", sentence: "Lets members ban members ranked below them, so they cannot come back, and lift bans." },
      { name: "MODERATE_MEMBERS", label: "Time out members", sentence: "Lets members stop members ranked below them from sending, reacting or talking for up to 28 days." },
    ],
  },
  {
    title: "Text",
    items: [
      { name: "SEND_MESSAGES", label: "Send messages", sentence: "Lets members post in text channels. Take it away for a read-only channel.", channelSentence: "Lets members post in this channel. Deny it to @everyone for a read-only channel." },
      { name: "ATTACH_FILES", label: "Attach files", sentence: "Lets members send files and images with their messages." },
      { name: "ADD_REACTIONS", label: "Add reactions", sentence: "Lets members add new reactions to messages. Anyone can still join a reaction already there." },
      { name: "EMBED_LINKS", label: "Embed links", sentence: "Reserved: links show the same for everyone today." },
      { name: "READ_MESSAGE_HISTORY", label: "Read message history", sentence: "Lets members read messages posted before they opened the channel. Without it they see only new messages." },
      { name: "MENTION_EVERYONE", label: "Mention @everyone and all roles", sentence: "Lets members notify everyone with @everyone, and mention roles that are not mentionable." },
      { name: "MANAGE_MESSAGES", label: "Manage messages", sentence: "Lets members delete other people's messages, and post without waiting out slowmode." },
    ],
  },
  {
    title: "Advanced",
    items: [
      { name: "ADMINISTRATOR", label: "Administrator", sentence: "Grants every permission, in every channel, whatever the channel's settings say. Give it with care." },
    ],
  },
];

/** Only what a channel overwrite may carry, with the channel's sentences. */
export const CHANNEL_PERMISSION_GROUPS: PermissionGroup[] = PERMISSION_GROUPS.map((g) => ({
  title: g.title,
  items: g.items
    .filter((p) => (CHANNEL_PERMISSIONS & PERMISSIONS[p.name]) !== 0n)
    .map((p) => ({ ...p, sentence: p.channelSentence ?? p.sentence })),
})).filter((g) => g.items.length > 0);
