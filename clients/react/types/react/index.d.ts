/**
 * The few React declarations `tracking-hooks.ts` needs, for type-checking it
 * where no `@types/react` is installed. An app with `@types/react` uses those
 * instead (tsconfig `paths` or `typeRoots` decide); the signatures match them.
 */
declare module 'react' {
  export type DependencyList = readonly unknown[];
  export type EffectCallback = () => void | (() => void);
  export interface MutableRefObject<T> {
    current: T;
  }
  export function useEffect(effect: EffectCallback, deps?: DependencyList): void;
  export function useMemo<T>(factory: () => T, deps: DependencyList | undefined): T;
  export function useRef<T>(initialValue: T): MutableRefObject<T>;
}
