/** What the sign-in and register pages share. */
import { goto } from "$app/navigation";
import { page } from "$app/state";
import { safeNext } from "./navigation.ts";
import type { Me } from "@agorusta/core/views";
import { session } from "./session.svelte.ts";

/** Once signed in, go where the person was headed (`?next=`), or home. Call during component init. */
export function leaveWhenSignedIn(): void {
  $effect(() => {
    if (session.status === "signedIn") void goto(safeNext(page.url.searchParams.get("next")), { replaceState: true });
  });
}

/** Signs in with what `/auth/login` or `/auth/register` answers. */
export async function signInWith(answer: Promise<{ token: string; user: Me }>): Promise<void> {
  const { token, user } = await answer;
  session.signIn(token, user);
}
