/** Short notes about something that happened elsewhere ("You are no longer a member of …"), shown for a few seconds. */

export interface Toast {
  id: number;
  text: string;
}

class Toasts {
  items = $state.raw<Toast[]>([]);
  #next = 0;

  show(text: string, ms = 6000): void {
    const toast = { id: ++this.#next, text };
    this.items = [...this.items, toast];
    setTimeout(() => this.dismiss(toast.id), ms);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
