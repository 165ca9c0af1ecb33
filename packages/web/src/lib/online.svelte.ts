/** Whether the browser says it is online (`navigator.onLine` and its events), as state the UI can show. */
class Online {
  current = $state(navigator.onLine);

  constructor() {
    addEventListener("online", () => (this.current = true));
    addEventListener("offline", () => (this.current = false));
  }
}

export const online = new Online();
