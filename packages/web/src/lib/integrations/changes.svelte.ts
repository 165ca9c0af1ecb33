/**
 * A card that lists what the caller manages (webhooks, bots) and changes it one click at a time:
 * while a change runs its buttons are disabled, then the list is fetched again; a refusal is said
 * under the card in the API's words.
 */
import { isApiError } from "../api.ts";

export class Changes {
  busy = $state(false);
  error = $state<string | null>(null);
  /** What the last change did, when worth saying ("… joined …"). */
  note = $state<string | null>(null);
  #reload: () => Promise<void>;

  constructor(reload: () => Promise<void>) {
    this.#reload = reload;
  }

  /** Runs `change`, then reloads; its answer, if a string, becomes the note. */
  async run(change: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    this.error = null;
    this.note = null;
    try {
      const said = await change();
      if (typeof said === "string") this.note = said;
      await this.#reload();
    } catch (e) {
      this.error = isApiError(e) ? e.message : "That did not work. Try again.";
    } finally {
      this.busy = false;
    }
  }
}
