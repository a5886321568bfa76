import { useEffect, useRef } from "preact/hooks";
import QRCode from "qrcode";

/**
 * A QR code of `text`, drawn by the qrcode library onto a canvas: always dark on white with a quiet zone, whatever
 * the theme, so a till's scanner reads it on a dark phone too.
 */
export function QrCode({ text, size, label, testId }: { text: string; size: number; label: string; testId: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    QRCode.toCanvas(canvas.current, text, { width: size, margin: 2, errorCorrectionLevel: "M", color: { dark: "#000000", light: "#ffffff" } }).catch(() => {
      // Nothing to draw it with (no canvas): the text beside the code still says it.
    });
  }, [text, size]);
  return <canvas ref={canvas} class="qr" width={size} height={size} role="img" aria-label={label} data-testid={testId} />;
}
