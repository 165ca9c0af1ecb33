/** The app shell's own state: on a phone, whether the navigation drawer is open. */
class Shell {
  navOpen = $state(false);
  createServerOpen = $state(false);
}

export const shell = new Shell();
