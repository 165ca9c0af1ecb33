/** How a name is compared for uniqueness and search: Unicode-normalised and lower-cased. */
export const foldCase = (s: string) => s.normalize("NFKC").toLowerCase();
