/**
 * The seed's React tracking hooks over Sluice's browser tracker (`window.sluice`,
 * docs/tracker.md), with the seed's names, argument order and return shapes, so
 * the seed's pages switch by changing one import. Every call returns a promise
 * that resolves with the event's id once ingest accepted it. Calls made before
 * tracker.js has loaded are queued (the snippet's stub is installed if the page
 * has none) and sent when it loads. Outside a browser (server rendering) the
 * calls send nothing and resolve with ''.
 */
import { useEffect, useMemo } from 'react';
import type { SluiceCallOptions, SluiceTracker } from './sluice';

export type { SluiceCallOptions, SluiceTracker } from './sluice';

const STUB_METHODS = ['trackChat', 'trackFeedback', 'trackTool', 'trackExperiment', 'trackEvent', 'trackPageview',
  'identify', 'reset', 'optIn', 'optOut', 'ready'];

type QueuedCall = [string, unknown[], (value: unknown) => void, (reason: unknown) => void];

/** `window.sluice`, or the snippet's queueing stub of it while tracker.js loads; null outside a browser. */
export function sluiceTracker(): SluiceTracker | null {
  if (typeof window === 'undefined') return null;
  const existing = window.sluice;
  if (existing && existing.version) return existing;
  const stub = (existing || { q: [] }) as SluiceTracker & Record<string, unknown>;
  const queue = (stub.q = stub.q || []) as QueuedCall[];
  for (const name of STUB_METHODS) {
    if (typeof stub[name] != 'function') {
      stub[name] = (...args: unknown[]) => new Promise((resolve, reject) => { queue.push([name, args, resolve, reject]); });
    }
  }
  window.sluice = stub;
  return stub;
}

/** Runs one tracker call, or resolves with '' where there is no browser. */
function send(call: (tracker: SluiceTracker) => Promise<string>): Promise<string> {
  const tracker = sluiceTracker();
  return tracker ? call(tracker) : Promise.resolve('');
}

/** Chat interactions of one agent, and feedback on them. `trackChat` resolves with the interaction id. */
export function useChatTracking(agentId: string, agentName: string) {
  return useMemo(() => ({
    trackChat: (userMessage: string, aiResponse: string, responseTime: number, model?: string, language?: string,
      options?: SluiceCallOptions): Promise<string> =>
      send((t) => t.trackChat(agentId, agentName, userMessage, aiResponse, responseTime, model, language, options)),
    trackFeedback: (interactionId: string, satisfied: boolean, feedback?: string, options?: SluiceCallOptions): Promise<string> =>
      send((t) => t.trackFeedback(interactionId, satisfied, feedback, options)),
  }), [agentId, agentName]);
}

/** Tool usages. */
export function useToolTracking() {
  return useMemo(() => ({
    trackTool: (toolName: string, category: string, inputData: unknown, outputData: unknown, success: boolean,
      errorMessage?: string | null, executionTime?: number, options?: SluiceCallOptions): Promise<string> =>
      send((t) => t.trackTool(toolName, category, inputData, outputData, success, errorMessage, executionTime, options)),
  }), []);
}

/** Lab experiments. */
export function useLabTracking() {
  return useMemo(() => ({
    trackExperiment: (experimentName: string, experimentType: string, inputData: unknown, outputData: unknown, model: string,
      success: boolean, errorMessage?: string | null, processingTime?: number, options?: SluiceCallOptions): Promise<string> =>
      send((t) => t.trackExperiment(experimentName, experimentType, inputData, outputData, model, success, errorMessage,
        processingTime, options)),
  }), []);
}

/** User events (sign-ups, clicks, anything named by a type and a name). */
export function useEventTracking() {
  return useMemo(() => ({
    trackEvent: (eventType: string, eventName: string, eventData?: unknown, success?: boolean, errorMessage?: string | null,
      options?: SluiceCallOptions): Promise<string> =>
      send((t) => t.trackEvent(eventType, eventName, eventData, success, errorMessage, options)),
  }), []);
}

/**
 * Page views with their visible time and deepest scroll, which the tracker measures
 * for the current page view and reports when the page is hidden, left or replaced.
 * With the tracker's automatic page views (the default) it records every load and
 * every history navigation itself, and this hook adds nothing; with
 * `data-auto="false"` the hook sends a page view when the layout mounts and whenever
 * `path` changes (pass the router's path, e.g. Next's `usePathname()`).
 */
export function usePageTracking(path?: string) {
  useEffect(() => {
    const tracker = sluiceTracker();
    if (!tracker) return;
    let mounted = true;
    tracker.ready().then((loaded) => {
      if (mounted && loaded.auto === false) loaded.trackPageview();
    });
    return () => { mounted = false; };
  }, [path]);
  return useMemo(() => ({
    trackPageview: (options?: SluiceCallOptions): Promise<string> => send((t) => t.trackPageview(options)),
  }), []);
}

/** Later events carry `userId` (call it on every page load once the user is known); resolves with the identify event's id. */
export function identify(userId: string, traits?: Record<string, unknown>, options?: SluiceCallOptions): Promise<string> {
  return send((t) => t.identify(userId, traits, options));
}

/** Forgets the user, at log-out. */
export function reset(): Promise<void> {
  return send((t) => Promise.resolve(t.reset()).then(() => '')).then(() => undefined);
}

/** The visitor consented: events are sent from now on. */
export function optIn(): Promise<void> {
  return send((t) => Promise.resolve(t.optIn()).then(() => '')).then(() => undefined);
}

/** The visitor withdrew consent: nothing more is sent. */
export function optOut(): Promise<void> {
  return send((t) => Promise.resolve(t.optOut()).then(() => '')).then(() => undefined);
}
