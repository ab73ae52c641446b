// @vitest-environment happy-dom
/**
 * The kit's stylesheet: its `--wardbell-*` variables are overridable from any ancestor, because the
 * kit declares none of them (each use carries its default as the var() fallback), and the defaults
 * are the kit's colours and sizes. Checked on the CSS text and through computed styles.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const CSS = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../packages/react/styles.css'), 'utf8');

/** The defaults the kit has always had. */
const DEFAULTS: Record<string, string> = {
  accent: '#0b6aa2',
  urgent: '#b42318',
  high: '#b54708',
  text: '#101828',
  muted: '#667085',
  surface: '#ffffff',
  'unread-bg': '#eef6fc',
  radius: '8px',
  gap: '8px',
};

const rules = (css: string) =>
  [...css.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/([^{}]+)\{([^{}]*)\}/g)].map((m) => ({ selector: (m[1] ?? '').trim(), body: m[2] ?? '' }));

describe('the kit\'s stylesheet', () => {
  it('declares no variable where it would beat an ancestor\'s, and gives each use its one default', () => {
    const declaring = rules(CSS).filter((r) => /(^|;|\s)--wardbell-[\w-]+\s*:/.test(r.body));
    // Only zero-specificity selectors may declare one (:where(...)), never a component's class.
    expect(declaring.filter((r) => !r.selector.split(',').every((s) => /^:where\(.*\)$/.test(s.trim()))).map((r) => r.selector)).toEqual([]);
    const uses = [...CSS.matchAll(/var\(\s*--wardbell-([\w-]+)\s*(?:,\s*([^)]+))?\)/g)].map((m) => [m[1] ?? '', m[2]?.trim() ?? null] as const);
    expect(uses.length).toBeGreaterThan(20);
    expect(uses.filter(([, fallback]) => fallback === null)).toEqual([]);
    const seen = Object.fromEntries(uses);
    for (const [name, fallback] of uses) expect([name, fallback]).toEqual([name, seen[name]]);
    expect(seen).toEqual(DEFAULTS);
  });

  describe('in a page', () => {
    afterEach(() => {
      document.head.innerHTML = '';
      document.body.innerHTML = '';
    });

    const markup = `
      <section class="wardbell-inbox"><ul class="wardbell-inbox-list">
        <li class="wardbell-item wardbell-priority-urgent wardbell-unread"><div class="wardbell-item-head"><time>08:00</time></div>
          <div class="wardbell-item-actions"><button class="wardbell-action wardbell-action-primary">Accept</button></div></li>
      </ul></section>
      <button class="wardbell-bell"><span class="wardbell-bell-count">3</span></button>
      <form class="wardbell-preferences"><small>note</small><button type="submit">Save</button></form>`;

    function page(css: string) {
      const style = document.createElement('style');
      style.textContent = css;
      document.head.append(style);
      document.body.innerHTML = `
        <div id="themed" style="--wardbell-accent: rgb(1, 2, 3); --wardbell-unread-bg: rgb(4, 5, 6); --wardbell-urgent: rgb(7, 8, 9); --wardbell-muted: rgb(10, 11, 12); --wardbell-text: rgb(13, 14, 15); --wardbell-radius: 3px">${markup}</div>
        <div id="plain">${markup}</div>
        <span id="ref"></span>`;
      const css2 = (scope: string, selector: string) => getComputedStyle(document.querySelector(`#${scope} ${selector}`) as Element);
      /** How the page computes a literal value of the property (colours come back in one notation). */
      const literal = (prop: string, value: string) => {
        const ref = document.getElementById('ref') as HTMLElement;
        ref.style.setProperty(prop, value);
        return getComputedStyle(ref).getPropertyValue(prop);
      };
      return { css: css2, literal };
    }

    const sample = (p: ReturnType<typeof page>, scope: string) => ({
      unreadBg: p.css(scope, '.wardbell-unread').backgroundColor,
      urgentBorder: p.css(scope, '.wardbell-item').borderLeftColor,
      primary: p.css(scope, '.wardbell-action-primary').backgroundColor,
      radius: p.css(scope, '.wardbell-action-primary').borderTopLeftRadius,
      badge: p.css(scope, '.wardbell-bell-count').backgroundColor,
      muted: p.css(scope, '.wardbell-item-head').color,
      text: p.css(scope, '.wardbell-inbox').color,
      save: p.css(scope, '.wardbell-preferences button').backgroundColor,
      note: p.css(scope, '.wardbell-preferences small').color,
    });

    it('lets an ancestor\'s values win, and keeps the defaults elsewhere', () => {
      const p = page(CSS);
      expect(sample(p, 'themed')).toEqual({
        unreadBg: p.literal('background-color', 'rgb(4, 5, 6)'),
        urgentBorder: p.literal('border-left-color', 'rgb(7, 8, 9)'),
        primary: p.literal('background-color', 'rgb(1, 2, 3)'),
        radius: '3px',
        badge: p.literal('background-color', 'rgb(7, 8, 9)'),
        muted: p.literal('color', 'rgb(10, 11, 12)'),
        text: p.literal('color', 'rgb(13, 14, 15)'),
        save: p.literal('background-color', 'rgb(1, 2, 3)'),
        note: p.literal('color', 'rgb(10, 11, 12)'),
      });
      expect(sample(p, 'plain')).toEqual({
        unreadBg: p.literal('background-color', DEFAULTS['unread-bg']!),
        urgentBorder: p.literal('border-left-color', DEFAULTS.urgent!),
        primary: p.literal('background-color', DEFAULTS.accent!),
        radius: DEFAULTS.radius,
        badge: p.literal('background-color', DEFAULTS.urgent!),
        muted: p.literal('color', DEFAULTS.muted!),
        text: p.literal('color', DEFAULTS.text!),
        save: p.literal('background-color', DEFAULTS.accent!),
        note: p.literal('color', DEFAULTS.muted!),
      });
    });
  });
});
