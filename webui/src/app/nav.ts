/** The sections of the navigation, in order; each page registers its entry here. */
export type NavEntry = { path: string; label: string; adminOnly?: boolean };

export const NAV: readonly NavEntry[] = [
  { path: '/library', label: 'Library' },
  { path: '/status', label: 'Platform status' },
];
