export * from "./access.ts";
export * from "./channels.ts";
export * from "./deletion.ts";
export * from "./invites.ts";
export * from "./joining.ts";
export * from "./passwords.ts";
export * from "./roster.ts";
export * from "./server.ts";
