/** The expiry and max-uses choices offered for invites and passwords (within the contract's bounds). */
export const expiryChoices = [
  { label: "30 minutes", seconds: 30 * 60 },
  { label: "1 hour", seconds: 3600 },
  { label: "6 hours", seconds: 6 * 3600 },
  { label: "12 hours", seconds: 12 * 3600 },
  { label: "1 day", seconds: 86_400 },
  { label: "7 days", seconds: 7 * 86_400 },
  { label: "30 days", seconds: 30 * 86_400 },
  { label: "Never", seconds: null },
] as const;

export const maxUsesChoices = [
  { label: "No limit", uses: null },
  { label: "1 use", uses: 1 },
  { label: "5 uses", uses: 5 },
  { label: "10 uses", uses: 10 },
  { label: "25 uses", uses: 25 },
  { label: "50 uses", uses: 50 },
  { label: "100 uses", uses: 100 },
] as const;

/** A select's value ("" for none) → the number the API takes, or null. */
export const numberOrNull = (value: string): number | null => (value === "" ? null : Number(value));
