/**
 * The colour of a person's name in a server (their highest coloured role), handed from the page
 * that knows the server to the message rows under it; in a DM there is none.
 */
import { getContext, setContext } from "svelte";

const KEY = Symbol("nameColors");

type ColorOf = (userId: string) => string | null;

/** Call during a page's initialisation. */
export const provideNameColors = (colorOf: ColorOf): void => void setContext(KEY, colorOf);

/** Call during a component's initialisation; the function answers null outside a server. */
export const nameColors = (): ColorOf => getContext<ColorOf | undefined>(KEY) ?? (() => null);
