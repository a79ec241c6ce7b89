import { create } from 'zustand';

export type Route =
  | { name: 'sources' }
  | { name: 'wizard' }
  | { name: 'syntheses'; synthesisId?: string }
  | { name: 'audit' }
  | { name: 'settings' }
  | { name: 'execution'; id: string }
  | { name: 'compare'; ids: string[] };

/** The route as the location hash (`#/execution/<id>`), and back. */
export function formatRoute(r: Route): string {
  switch (r.name) {
    case 'execution':
      return `#/execution/${encodeURIComponent(r.id)}`;
    case 'compare':
      return `#/compare/${r.ids.map(encodeURIComponent).join(',')}`;
    case 'syntheses':
      return r.synthesisId ? `#/syntheses/${encodeURIComponent(r.synthesisId)}` : '#/syntheses';
    default:
      return `#/${r.name}`;
  }
}

export function parseRoute(hash: string): Route {
  const [name, arg] = hash.replace(/^#\/?/, '').split('/');
  if (name === 'compare' && arg) {
    try {
      return { name: 'compare', ids: arg.split(',').map(decodeURIComponent) };
    } catch {
      return { name: 'syntheses' };
    }
  }
  const id = arg ? decodeURIComponent(arg) : undefined;
  if (name === 'execution' && id) return { name: 'execution', id };
  if (name === 'syntheses') return id ? { name: 'syntheses', synthesisId: id } : { name: 'syntheses' };
  if (name === 'wizard') return { name: 'wizard' };
  if (name === 'audit') return { name: 'audit' };
  if (name === 'settings') return { name: 'settings' };
  return { name: 'sources' };
}

interface NavState {
  route: Route;
  go(route: Route): void;
}

export const useNav = create<NavState>()((set) => ({
  route: typeof window === 'undefined' ? { name: 'sources' } : parseRoute(window.location.hash),
  go(route) {
    set({ route });
    if (typeof window !== 'undefined') {
      const hash = formatRoute(route);
      if (window.location.hash !== hash) window.history.pushState(null, '', `${window.location.pathname}${window.location.search}${hash}`);
    }
  },
}));

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => useNav.setState({ route: parseRoute(window.location.hash) }));
}
