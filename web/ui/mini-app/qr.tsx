import { useEffect, useRef } from "preact/hooks";
import QRCode from "qrcode";

/**
 * A QR code of `text`, drawn by the qrcode library onto a canvas: always dark on white with a quiet zone, whatever
 * the theme, so a till's scanner reads it on a dark phone too.
 */
export function QrCode({ text, size, label, testId }: { text: string; size: number; label: string; testId: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const element = canvas.current;
    if (!element) return;
    // Drawn at the screen's pixel density (the stylesheet shows it at `size` CSS pixels), so its modules stay sharp.
    const pixels = Math.round(size * Math.min(3, Math.max(1, window.devicePixelRatio || 1)));
    QRCode.toCanvas(element, text, { width: pixels, margin: 2, errorCorrectionLevel: "M", color: { dark: "#000000", light: "#ffffff" } }).then(
      // The library sizes the element to its pixels; it is shown at `size` CSS pixels.
      () => Object.assign(element.style, { width: `${size}px`, height: `${size}px` }),
      () => {
        // Nothing to draw it with (no canvas): the digits beside the code still say it.
      },
    );
  }, [text, size]);
  return <canvas ref={canvas} class="qr" role="img" aria-label={label} data-testid={testId} />;
}
