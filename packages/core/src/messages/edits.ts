import { AppError } from "../errors.ts";

/** Only its author edits a message, channel or DM (deleting has the owner's exception, in channel.ts). */
export function assertAuthor(message: { authorId: string }, userId: string, verb: "edit" | "delete") {
  if (message.authorId !== userId) throw new AppError("forbidden", `Only its author can ${verb} this message.`);
}
