import type { ComponentChildren } from "preact";
import type { MessageEntity } from "../protocol.js";

/** What a rendered message does when someone clicks a link or a /command in it. */
export type TextHandlers = {
  /** Opens a link; the app decides whether it is a sandbox bot link (t.me/<bot>?start=…) or an outside page. */
  openLink: (url: string) => void;
  sendCommand: (command: string) => void;
};

// Bare URLs and t.me links, then /commands not glued to a word or a path, as Telegram clients highlight them.
const tokenPattern = /(https?:\/\/[^\s<>"]+|\bt\.me\/[^\s<>"]+)|(?<![\p{L}\p{N}_/])(\/[a-zA-Z][a-zA-Z0-9_]{0,31}(?:@[a-zA-Z0-9_]+)?)(?![\p{L}\p{N}_/])/gu;
const trailingPunctuation = /[.,;:!?)\]»"']+$/;

function absoluteUrl(url: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `https://${url}`;
}

/** Only links a Telegram app would open: never `javascript:` or `data:` from a bot's text, entity or button. */
export const isSafeUrl = (url: string) => /^(https?:|tg:|mailto:)/i.test(url);

function Link({ href, children, handlers }: { href: string; children: ComponentChildren; handlers: TextHandlers }) {
  const url = absoluteUrl(href);
  if (!isSafeUrl(url)) return <>{children}</>;
  return (
    <a
      href={url}
      target="_blank"
      rel="noopener noreferrer"
      onClick={(event) => {
        event.preventDefault();
        handlers.openLink(url);
      }}
    >
      {children}
    </a>
  );
}

function Command({ command, handlers }: { command: string; handlers: TextHandlers }) {
  return (
    <a
      href="#"
      class="command"
      onClick={(event) => {
        event.preventDefault();
        handlers.sendCommand(command);
      }}
    >
      {command}
    </a>
  );
}

/** Plain text with its URLs and /commands made clickable (unless inside code or a link already). */
function plainText(text: string, handlers: TextHandlers, linkify: boolean): ComponentChildren[] {
  if (!linkify) return [text];
  const out: ComponentChildren[] = [];
  let position = 0;
  for (const match of text.matchAll(tokenPattern)) {
    const start = match.index;
    let token = match[0];
    if (match[1]) token = token.replace(trailingPunctuation, "");
    if (start > position) out.push(text.slice(position, start));
    out.push(match[1] ? <Link href={token} handlers={handlers}>{token}</Link> : <Command command={token} handlers={handlers} />);
    position = start + token.length;
  }
  if (position < text.length) out.push(text.slice(position));
  return out;
}

/**
 * Text with Telegram's entities as nested elements. Entities are sorted by offset (longest first) so an entity
 * that starts inside another becomes its child; offsets are UTF-16 units, the same as JavaScript strings.
 */
export function renderEntities(text: string, entities: MessageEntity[] | undefined, handlers: TextHandlers): ComponentChildren {
  const sorted = [...(entities ?? [])].filter((e) => e.length > 0).sort((a, b) => a.offset - b.offset || b.length - a.length);
  return renderRange(text, 0, text.length, sorted, handlers, true);
}

function renderRange(
  text: string,
  start: number,
  end: number,
  entities: MessageEntity[],
  handlers: TextHandlers,
  linkify: boolean,
): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let position = start;
  let i = 0;
  while (i < entities.length) {
    const entity = entities[i]!;
    if (entity.offset < position || entity.offset >= end) {
      i++; // overlaps the previous entity without nesting in it: shown as plain text
      continue;
    }
    const entityEnd = Math.min(entity.offset + entity.length, end);
    if (entity.offset > position) out.push(...plainText(text.slice(position, entity.offset), handlers, linkify));
    let j = i + 1;
    while (j < entities.length && entities[j]!.offset < entityEnd) j++;
    const inner = entities.slice(i + 1, j);
    const content = text.slice(entity.offset, entityEnd);
    const childLinkify = linkify && !["code", "pre", "url", "text_link", "bot_command", "email"].includes(entity.type);
    const children = renderRange(text, entity.offset, entityEnd, inner, handlers, childLinkify);
    out.push(wrapEntity(entity, content, children, handlers));
    position = entityEnd;
    i = j;
  }
  if (position < end) out.push(...plainText(text.slice(position, end), handlers, linkify));
  return out;
}

function wrapEntity(entity: MessageEntity, content: string, children: ComponentChildren, handlers: TextHandlers): ComponentChildren {
  switch (entity.type) {
    case "bold":
      return <b>{children}</b>;
    case "italic":
      return <i>{children}</i>;
    case "underline":
      return <u>{children}</u>;
    case "strikethrough":
      return <s>{children}</s>;
    case "spoiler":
      return <span class="spoiler">{children}</span>;
    case "code":
      return <code>{children}</code>;
    case "pre":
      return (
        <pre>
          <code>{children}</code>
        </pre>
      );
    case "blockquote":
    case "expandable_blockquote":
      return <blockquote>{children}</blockquote>;
    case "url":
      return <Link href={content} handlers={handlers}>{children}</Link>;
    case "text_link":
      return entity.url ? <Link href={entity.url} handlers={handlers}>{children}</Link> : children;
    case "email":
      return <a href={`mailto:${content}`}>{children}</a>;
    case "mention":
      return <Link href={`https://t.me/${content.slice(1)}`} handlers={handlers}>{children}</Link>;
    case "bot_command":
      return <Command command={content} handlers={handlers} />;
    default:
      return children;
  }
}

/** Telegram's HTML subset (parse_mode HTML): tag → the element the page renders it as. Anything else keeps only its text. */
const allowedTags: Record<string, string> = {
  b: "b", strong: "b", i: "i", em: "i", u: "u", ins: "u", s: "s", strike: "s", del: "s",
  code: "code", pre: "pre", a: "a", blockquote: "blockquote", "tg-spoiler": "span",
};
const droppedTags = new Set(["script", "style", "iframe", "object", "embed", "template", "noscript"]);

/** HTML a bot sent, parsed by the browser (never inserted as markup) and rebuilt from the whitelist above. */
export function renderHtml(html: string, handlers: TextHandlers): ComponentChildren {
  const body = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html").body;
  return renderNodes(body.childNodes, handlers, true);
}

function renderNodes(nodes: NodeListOf<ChildNode>, handlers: TextHandlers, linkify: boolean): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  nodes.forEach((node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      out.push(...plainText(node.textContent ?? "", handlers, linkify));
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const element = node as Element;
    const tag = element.tagName.toLowerCase();
    if (droppedTags.has(tag)) return;
    if (tag === "br") {
      out.push("\n");
      return;
    }
    const spoiler = tag === "tg-spoiler" || (tag === "span" && element.classList.contains("tg-spoiler"));
    const rendered = spoiler ? "span" : allowedTags[tag];
    const childLinkify = linkify && rendered !== "a" && rendered !== "code" && rendered !== "pre";
    const children = renderNodes(element.childNodes, handlers, childLinkify);
    if (!rendered) {
      out.push(...children);
    } else if (rendered === "a") {
      const href = element.getAttribute("href") ?? "";
      out.push(isSafeUrl(href) ? <Link href={href} handlers={handlers}>{children}</Link> : children);
    } else if (spoiler) {
      out.push(<span class="spoiler">{children}</span>);
    } else {
      const Tag = rendered as "b";
      out.push(<Tag>{children}</Tag>);
    }
  });
  return out;
}
