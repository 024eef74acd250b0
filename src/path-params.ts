/**
 * The URL arguments a pattern captures, read from the pattern's text at compile time:
 * `PathParams<'/users/<int:id>/<name>'>` is `{ id: number; name: string }`.
 * Types added with `URLPattern.registerType` are `unknown`; a pattern that is not a literal
 * gives `Record<string, unknown>`.
 */
export type PathParams<P extends string> = string extends P
  ? Record<string, unknown>
  : Simplify<ParamsOf<P>>;

type Simplify<T> = { [K in keyof T]: T[K] };

type ParamsOf<P extends string> = P extends `${string}<${infer Segment}>${infer Rest}`
  ? SegmentParam<Segment> & ParamsOf<Rest>
  : {};

type AfterLastColon<S extends string> = S extends `${string}:${infer R}` ? AfterLastColon<R> : S;

type SegmentParam<S extends string> = S extends `re:${infer R}`
  ? { [K in AfterLastColon<R>]: string }
  : S extends `${infer Type}:${infer Name}`
    ? {
        [K in Name]: Type extends 'int'
          ? number
          : Type extends 'string' | 'path'
            ? string
            : unknown;
      }
    : { [K in S]: string };
