/** The expiry and max-uses choices offered for invites and passwords (within the contract's bounds). */

/** A select's options: the value is the number of seconds or uses as text, "" for none. */
export interface Option {
  label: string;
  value: string;
}

const hour = 3600;
const day = 24 * hour;

export const expiryOptions: readonly Option[] = [
  { label: "30 minutes", value: String(30 * 60) },
  { label: "1 hour", value: String(hour) },
  { label: "6 hours", value: String(6 * hour) },
  { label: "12 hours", value: String(12 * hour) },
  { label: "1 day", value: String(day) },
  { label: "7 days", value: String(7 * day) },
  { label: "30 days", value: String(30 * day) },
  { label: "Never", value: "" },
];

export const maxUsesOptions: readonly Option[] = [
  { label: "No limit", value: "" },
  ...[1, 5, 10, 25, 50, 100].map((n) => ({ label: `${n} ${n === 1 ? "use" : "uses"}`, value: String(n) })),
];

/** New invites expire after a week, as people expect from chat apps. */
export const defaultInviteExpiry = String(7 * day);

/** A select's value ("" for none) → the number the API takes, or null. */
export const numberOrNull = (value: string): number | null => (value === "" ? null : Number(value));
