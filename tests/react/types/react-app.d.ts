/**
 * What the test app needs of React and React DOM beyond the hooks' own
 * declarations (clients/react/types): state, the JSX runtime and createRoot.
 */
declare module 'react' {
  export function useState<S>(initialState: S): [S, (value: S) => void];
}

declare module 'react/jsx-runtime' {
  export function jsx(type: unknown, props: unknown, key?: unknown): JSX.Element;
  export function jsxs(type: unknown, props: unknown, key?: unknown): JSX.Element;
  export const Fragment: unknown;
}

declare module 'react-dom/client' {
  export interface Root {
    render(children: JSX.Element): void;
  }
  export function createRoot(container: Element): Root;
}

declare namespace JSX {
  interface Element {}
  interface ElementChildrenAttribute {
    children: {};
  }
  interface IntrinsicAttributes {
    key?: string | number;
  }
  interface IntrinsicElements {
    [name: string]: Record<string, unknown>;
  }
}
