import { DEFAULT_THEME, mergeMantineTheme } from '@mantine/core';
import { describe, expect, it } from 'vitest';
import { contrast, cssVariablesResolver, theme } from './theme';

const merged = mergeMantineTheme(DEFAULT_THEME, theme);
const resolved = cssVariablesResolver(merged);
const vars = {
  light: (k: string) => (resolved.light as Record<string, string>)[k] ?? 'missing',
  dark: (k: string) => (resolved.dark as Record<string, string>)[k] ?? 'missing',
};
const dark7: string = DEFAULT_THEME.colors.dark[7];

describe('theme contrast', () => {
  it('gives every colour text, badge and outline shades of at least 4.5:1 on the page', () => {
    for (const [scheme, body] of [
      ['light', '#ffffff'],
      ['dark', dark7],
    ] as const) {
      for (const name of Object.keys(merged.colors)) {
        for (const kind of ['text', 'light-color', 'outline']) {
          const value = vars[scheme](`--mantine-color-${name}-${kind}`);
          expect(contrast(value, body), `${scheme} ${name}-${kind}`).toBeGreaterThanOrEqual(4.5);
        }
      }
    }
  });

  it('keeps light badges readable on striped table rows (the tint over gray-1)', () => {
    const row = DEFAULT_THEME.colors.gray[1];
    for (const name of Object.keys(merged.colors)) {
      const tint = (resolved.light as Record<string, string>)[`--mantine-color-${name}-light`];
      // Mantine's own `light` is the 6th shade at 10 %: paint it over the row as a browser would.
      const shade = merged.colors[name]![6];
      const mix = [1, 3, 5].map((i) =>
        Math.round(
          parseInt(shade.slice(i, i + 2), 16) * 0.1 + parseInt(row.slice(i, i + 2), 16) * 0.9,
        ),
      );
      const bg = `#${mix.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
      expect(tint).toBeUndefined();
      expect(
        contrast(vars.light(`--mantine-color-${name}-light-color`), bg),
        name,
      ).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('puts white labels on filled colours at 4.5:1 or more', () => {
    for (const scheme of ['light', 'dark'] as const) {
      for (const name of Object.keys(merged.colors)) {
        const value = vars[scheme](`--mantine-color-${name}-filled`);
        expect(contrast('#ffffff', value), `${scheme} ${name}`).toBeGreaterThanOrEqual(4.5);
      }
    }
  });

  it('makes dimmed text and links readable in both schemes', () => {
    expect(contrast(vars.light('--mantine-color-dimmed'), '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(contrast(vars.dark('--mantine-color-dimmed'), dark7)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(vars.light('--mantine-color-anchor'), '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(contrast(vars.dark('--mantine-color-anchor'), dark7)).toBeGreaterThanOrEqual(4.5);
  });
});
