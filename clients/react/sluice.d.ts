/**
 * The browser tracker's global, `window.sluice` (docs/tracker.md): the seed's
 * positional calls, each with an optional last argument, identity and consent.
 */

/** The optional last argument of every tracking call. */
export interface SluiceCallOptions {
  /** Free-form data stored as the event's `properties`. */
  properties?: Record<string, unknown>;
  /** Page url, referrer, locale, screen (free-form), stored as the event's `context`. */
  context?: Record<string, unknown>;
  /** This call's user, over the one `identify` set. */
  userId?: string;
}

/** What `window.sluice` offers once tracker.js has loaded (or the snippet's stub of it). */
export interface SluiceTracker {
  /** 1 once the real tracker has loaded; absent on the snippet's stub. */
  version?: number;
  /** The snippet's queue of calls made before the tracker loaded. */
  q?: unknown[];
  trackChat(agentId: string, agentName?: string, userMessage?: string, aiResponse?: string, responseTime?: number,
    model?: string, language?: string, options?: SluiceCallOptions): Promise<string>;
  trackFeedback(interactionId: string, satisfied: boolean, feedback?: string, options?: SluiceCallOptions): Promise<string>;
  trackTool(toolName: string, category?: string, inputData?: unknown, outputData?: unknown, success?: boolean,
    errorMessage?: string | null, executionTime?: number, options?: SluiceCallOptions): Promise<string>;
  trackExperiment(experimentName: string, experimentType?: string, inputData?: unknown, outputData?: unknown, model?: string,
    success?: boolean, errorMessage?: string | null, processingTime?: number, options?: SluiceCallOptions): Promise<string>;
  trackEvent(eventType: string, eventName: string, eventData?: unknown, success?: boolean, errorMessage?: string | null,
    options?: SluiceCallOptions): Promise<string>;
  /** A page view of the current URL; the tracker then measures its visible time and scroll depth. */
  trackPageview(options?: SluiceCallOptions): Promise<string>;
  /** Later events carry `userId`; records the traits in one `identify` event. */
  identify(userId: string, traits?: Record<string, unknown>, options?: SluiceCallOptions): Promise<string>;
  /** Forgets the user (at log-out). */
  reset(): void;
  /** Consent given: events are sent from now on. */
  optIn(): void;
  /** Consent withdrawn: nothing more is sent. */
  optOut(): void;
  /** Sends what is queued now. */
  flush(): void;
  /** false when the script tag has data-auto="false" (no automatic page views). */
  auto?: boolean;
  /** Resolves with the tracker once it has loaded. */
  ready(): Promise<SluiceTracker>;
}

declare global {
  interface Window {
    sluice?: SluiceTracker;
  }
}
