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
