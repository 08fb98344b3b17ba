import { z } from "zod";

/** How many messages a room keeps: each new one deletes the oldest past this, in the same write. */
export const MAX_HISTORY = 100;
/** The longest message, in characters. */
export const MAX_MESSAGE_CHARS = 2_000;
/** The longest sender name, in characters. */
export const MAX_NAME_CHARS = 32;
/** The most WebSocket clients one room holds at a time; the next one is refused (503). */
export const MAX_CONNECTIONS = 200;
/** A frame longer than this is refused before it is parsed (a message at its longest fits with room to spare). */
export const MAX_FRAME_CHARS = 4 * MAX_MESSAGE_CHARS + 256;

/** One path segment: lowercase letters, digits and '-'. The room's Durable Object is found by this name. */
export const RoomName = z
  .string()
  .regex(/^[a-z0-9-]{1,64}$/, "room names are 1 to 64 lowercase letters, digits or '-'");

/** A display name, not an identity: whoever connects or posts chooses it. No control characters. */
export const SenderName = z
  .string()
  .trim()
  .min(1)
  .max(MAX_NAME_CHARS)
  .regex(/^[^\p{Cc}\p{Cf}]*$/u, "names have no control characters");

export const MessageText = z.string().trim().min(1).max(MAX_MESSAGE_CHARS);

/** What `POST /rooms/:room/messages` takes, and the Room's `post()`. */
export const NewMessage = z.strictObject({ name: SenderName, text: MessageText });
export type NewMessage = z.output<typeof NewMessage>;

/** How many of the newest messages to read: 1 to MAX_HISTORY. */
export const HistoryLimit = z.coerce.number().int().min(1).max(MAX_HISTORY);

/** A stored message (a row of the room's `messages` table), as every route and frame shows it. */
export type Message = { id: number; sender: string; text: string; created_at: string };

/** A frame a client sends: `{"type": "message", "text": "…"}`. */
export const ClientFrame = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("message"), text: MessageText }),
]);

/** A frame the room sends. */
export type ServerFrame =
  | { type: "history"; messages: Message[] }
  | { type: "message"; message: Message }
  | { type: "error"; error: { code: string; message: string } };

/**
 * What the Worker tells the room about a new WebSocket client, in the query of
 * the upgrade it forwards: the sender's name, and whether it may post (the
 * Worker's write rule, decided when it connects).
 */
export const Connection = z.strictObject({
  name: SenderName,
  canPost: z.enum(["true", "false"]).transform((word) => word === "true"),
});
export type Connection = z.output<typeof Connection>;

/** What each WebSocket carries through hibernation (`serializeAttachment`). */
export const Attachment = z.strictObject({ name: SenderName, canPost: z.boolean() });
export type Attachment = z.output<typeof Attachment>;
