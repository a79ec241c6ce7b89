import type { Locator, Page } from 'playwright-core';

/**
 * In-page timing of schema-graph interactions, as a user feels them: from the input event's
 * timestamp to the first animation frame at which the expected result is on screen, plus the
 * longest main-thread task (Long Tasks API) in that window.
 */
export interface Timing {
  ms: number;
  longestTaskMs: number;
}

/** Starts recording input timestamps and long tasks; call once per page before timing. */
export async function installTimers(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __input: number; __tasks: { start: number; end: number }[] };
    if (w.__tasks) return;
    w.__input = 0;
    w.__tasks = [];
    for (const type of ['pointerdown', 'pointerup', 'keydown', 'click']) {
      window.addEventListener(type, (e) => (w.__input = e.timeStamp), { capture: true });
    }
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__tasks.push({ start: e.startTime, end: e.startTime + e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
}

/**
 * Runs `act` (Playwright input) and waits until `done` (run in the page each frame; it returns
 * `performance.now()` once the result is on screen, else false) says so; returns the time from
 * the last input event of `act` to that frame. (`done` is a function, not a string: the app's
 * CSP forbids eval.)
 */
export async function timeUntil(
  page: Page,
  act: () => Promise<void>,
  done: (arg: string | number | null) => number | false,
  arg: string | number | null,
): Promise<Timing> {
  await page.evaluate(() => ((window as unknown as { __input: number }).__input = 0));
  await act();
  const handle = await page.waitForFunction(done, arg, { polling: 'raf', timeout: 60_000 });
  const end = (await handle.jsonValue()) as number;
  // Let a task that was still running at `end` be reported.
  await page.evaluate(() => new Promise((r) => setTimeout(r, 60)));
  return page.evaluate((endAt) => {
    const w = window as unknown as { __input: number; __tasks: { start: number; end: number }[] };
    const start = w.__input || endAt;
    const longest = w.__tasks.filter((t) => t.end > start && t.start < endAt + 50).reduce((m, t) => Math.max(m, t.end - t.start), 0);
    return { ms: endAt - start, longestTaskMs: longest };
  }, end);
}

/** Drags from the middle of one element to the middle of another with the mouse, in steps. */
export async function dragBetween(page: Page, from: Locator, to: Locator): Promise<void> {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  if (!a || !b) throw new Error('handle not visible');
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/**
 * The screen point halfway along an edge's path (a smoothstep edge's box centre is often off the
 * line), for clicking it; null when it is not on screen.
 */
export async function edgeMidpoint(page: Page, ariaLabel: string): Promise<{ x: number; y: number } | null> {
  return page.evaluate((label) => {
    const path = document.querySelector<SVGPathElement>(`.react-flow__edge[aria-label="${label}"] path.react-flow__edge-interaction`);
    const ctm = path?.getScreenCTM();
    if (!path || !ctm) return null;
    const p = path.getPointAtLength(path.getTotalLength() / 2).matrixTransform(ctm);
    return { x: p.x, y: p.y };
  }, ariaLabel);
}

/**
 * An edge of the graph that a user can click and draw again (label, a point on it to click), or
 * null: a point of it near the child's dot is on screen and on top, and both of its dots (the
 * child column's right one, the parent key's left one) are drawn on screen and on top, so a drag
 * between them reaches them (a table outside the view is not rendered at all).
 */
export async function visibleEdge(page: Page): Promise<{ label: string; x: number; y: number } | null> {
  // No named helper functions inside: tsx would wrap them in a __name() the page does not have.
  return page.evaluate(() => {
    const box = document.querySelector('[data-testid="schema-graph"]')!.getBoundingClientRect();
    for (const edge of document.querySelectorAll<SVGGElement>('.react-flow__edge')) {
      const label = edge.getAttribute('aria-label') ?? '';
      const m = /^Foreign key (.+)\.(.+) to (.+)\.(.+?)(?: \(non-context\))?$/.exec(label);
      if (!m) continue;
      const dots = [
        document.querySelector(`[data-column="${m[1]}.${m[2]}"] .react-flow__handle.source`),
        document.querySelector(`[data-column="${m[3]}.${m[4]}"] .react-flow__handle.target`),
      ];
      const hittable = dots.every((d) => {
        if (!d) return false;
        const r = d.getBoundingClientRect();
        const cx = r.left + r.width / 2;
        const cy = r.top + r.height / 2;
        return cx > box.left && cx < box.right && cy > box.top && cy < box.bottom && d.contains(document.elementFromPoint(cx, cy));
      });
      if (!hittable) continue;
      const path = edge.querySelector<SVGPathElement>('path.react-flow__edge-interaction');
      const ctm = path?.getScreenCTM();
      if (!path || !ctm) continue;
      const p = new DOMPoint(0, 0);
      // Near the child's dot, where no other edge runs (edges into one key overlap).
      const at = path.getPointAtLength(Math.min(24, path.getTotalLength() / 2));
      p.x = at.x;
      p.y = at.y;
      const s = p.matrixTransform(ctm);
      // On screen and on top: a click there reaches this edge, not a table or a control above it.
      const inBox = s.x > box.left && s.x < box.right && s.y > box.top && s.y < box.bottom;
      if (inBox && edge.contains(document.elementFromPoint(s.x, s.y))) return { label, x: s.x, y: s.y };
    }
    return null;
  });
}
