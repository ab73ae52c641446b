/**
 * The one react-dom entry the console uses. react-dom ships no types and @types/react-dom is not a
 * dependency of the project; this declaration covers exactly `createRoot`.
 */
declare module 'react-dom/client' {
  import type { ReactNode } from 'react';
  export interface Root {
    render(children: ReactNode): void;
    unmount(): void;
  }
  export function createRoot(container: Element | DocumentFragment): Root;
}
