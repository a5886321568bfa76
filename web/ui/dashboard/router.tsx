import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

/**
 * Path routing under /dashboard/ (the server answers every /dashboard/* with index.html, so a deep link such as
 * /dashboard/clients/123 loads that client after a refresh). The fragment is left for the one-time sign-in token.
 */
export const base = "/dashboard/";

export type Route = { path: string[]; query: URLSearchParams };

function currentRoute(): Route {
  const pathname = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : "";
  return { path: pathname.split("/").filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(location.search) };
}

const changed = "dashboard:route";

/** Goes to a dashboard path ("clients/12?page=2"); `replace` keeps the history entry (filters typed on a page). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  const url = base + to.replace(/^\//, "");
  if (url === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  window.dispatchEvent(new Event(changed));
  if (!options.replace) window.scrollTo(0, 0);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener("popstate", update);
    window.addEventListener(changed, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(changed, update);
    };
  }, []);
  return route;
}

/** A link inside the dashboard: a real href (open in a new tab works), a click that stays in the page. */
export function Link({ to, children, class: className, testId }: { to: string; children: ComponentChildren; class?: string; testId?: string }) {
  return (
    <a
      class={className}
      data-testid={testId}
      href={base + to.replace(/^\//, "")}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
