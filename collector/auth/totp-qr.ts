import QRCode from 'qrcode'

/**
 * The enrolment QR code as SVG, drawn on the collector (no third-party service sees the
 * secret, and the page needs no script to draw it). Error correction M, as authenticator
 * apps expect for otpauth:// URIs.
 */
export async function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } })
}
