/** What the pages report to the test driver: ids their calls resolved with, and errors. */
declare global {
  interface Window {
    __results?: Record<string, string>;
  }
}

/** Records `value` under `name` for the test to read. */
export function report(name: string, value: string): void {
  window.__results = { ...(window.__results || {}), [name]: value };
}
