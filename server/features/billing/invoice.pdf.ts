import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { formatMinor, type Invoice, type PaymentMethod } from '../../../common/billing.ts';

const require = createRequire(import.meta.url);
// Noto Sans Arabic (SIL Open Font License), shipped by @fontsource: its Arabic subset shapes every
// letter in its joining form; Latin text uses the PDF's built-in Helvetica.
const ARABIC_REGULAR = require.resolve('@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-400-normal.woff');
const ARABIC_BOLD = require.resolve('@fontsource/noto-sans-arabic/files/noto-sans-arabic-arabic-700-normal.woff');

export type PdfLanguage = 'en' | 'ar';

const LABELS = {
  en: {
    invoice: 'INVOICE',
    copy: 'COPY',
    number: 'Invoice number',
    date: 'Date',
    patient: 'Patient',
    mrn: 'Record number',
    code: 'Code',
    service: 'Service',
    amount: 'Amount',
    tax: 'Tax',
    total: 'Total',
    subtotal: 'Subtotal',
    paid: 'Paid',
    change: 'Change',
    tendered: 'Handed over',
    reference: 'Reference',
    receivedBy: 'Received by',
    refunds: 'Refunds (credit notes)',
    currency: 'Currency',
    method: { cash: 'Cash', card: 'Card', transfer: 'Bank transfer' } as Record<PaymentMethod, string>,
  },
  ar: {
    invoice: 'فاتورة',
    copy: 'نسخة',
    number: 'رقم الفاتورة',
    date: 'التاريخ',
    patient: 'المريض',
    mrn: 'رقم الملف',
    code: 'الرمز',
    service: 'الخدمة',
    amount: 'المبلغ',
    tax: 'الضريبة',
    total: 'الإجمالي',
    subtotal: 'المجموع الفرعي',
    paid: 'المدفوع',
    change: 'الباقي',
    tendered: 'المبلغ المستلم',
    reference: 'المرجع',
    receivedBy: 'استلمه',
    refunds: 'المبالغ المستردة - إشعارات دائنة',
    currency: 'العملة',
    method: { cash: 'نقدًا', card: 'بطاقة', transfer: 'تحويل بنكي' } as Record<PaymentMethod, string>,
  },
};

const ARABIC = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/;

interface Run {
  rtl: boolean;
  words: string[];
}

/**
 * A small bidirectional layout for one line: words with Arabic letters form right-to-left runs, the
 * rest (digits, codes, Latin names) left-to-right runs. Words of a right-to-left run are placed right
 * to left, and in a right-to-left line so are the runs. The font engine shapes and orders the letters
 * inside each Arabic word; words are placed one by one, with the gaps drawn here.
 */
function visualWords(text: string, rtlLine: boolean): { word: string; arabic: boolean }[] {
  const runs: Run[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const arabic = ARABIC.test(word);
    // Punctuation alone (":" "·") goes with the run before it.
    const rtl = /[\p{L}\p{N}]/u.test(word) ? arabic : (runs[runs.length - 1]?.rtl ?? rtlLine);
    const last = runs[runs.length - 1];
    if (last && last.rtl === rtl) last.words.push(word);
    else runs.push({ rtl, words: [word] });
  }
  const ordered = rtlLine ? [...runs].reverse() : runs;
  return ordered.flatMap((run) => (run.rtl ? [...run.words].reverse() : run.words).flatMap((word) => splitPunctuation(word, run.rtl)));
}

/**
 * The Arabic font has no Latin punctuation: a colon or bracket at either end of an Arabic word is drawn
 * apart in Helvetica, on the side where it belongs when read right to left.
 */
function splitPunctuation(word: string, rtl: boolean): { word: string; arabic: boolean }[] {
  if (!ARABIC.test(word)) return [{ word, arabic: false }];
  const match = /^([^\p{L}\p{N}]*)(.*?)([^\p{L}\p{N}]*)$/u.exec(word)!;
  const [, before, core, after] = match;
  const parts = [
    { word: before, arabic: false },
    { word: core, arabic: true },
    { word: after, arabic: false },
  ];
  return (rtl ? parts.reverse() : parts).filter((p) => p.word.length > 0);
}

interface Cell {
  x: number;
  width: number;
  align: 'left' | 'right' | 'center';
  size?: number;
  bold?: boolean;
  color?: string;
}

class Writer {
  readonly doc: PDFKit.PDFDocument;
  readonly rtl: boolean;
  constructor(doc: PDFKit.PDFDocument, rtl: boolean) {
    this.doc = doc;
    this.rtl = rtl;
  }

  private font(arabic: boolean, bold: boolean, size: number) {
    this.doc.font(arabic ? (bold ? 'arabic-bold' : 'arabic') : bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(size);
  }

  /** Writes one line of mixed text in a box, aligned, without wrapping. */
  text(value: string, y: number, cell: Cell): void {
    const size = cell.size ?? 10;
    const bold = cell.bold ?? false;
    const words = visualWords(value, this.rtl);
    const widths = words.map((w) => {
      this.font(w.arabic, bold, size);
      return this.doc.widthOfString(w.word);
    });
    this.font(false, bold, size);
    const gap = this.doc.widthOfString(' ');
    const total = widths.reduce((a, b) => a + b, 0) + gap * Math.max(0, words.length - 1);
    let x = cell.align === 'left' ? cell.x : cell.align === 'right' ? cell.x + cell.width - total : cell.x + (cell.width - total) / 2;
    this.doc.fillColor(cell.color ?? '#111111');
    words.forEach((w, i) => {
      this.font(w.arabic, bold, size);
      // The Arabic font's taller line box would sit its letters lower than Helvetica's on the same y.
      this.doc.text(w.word, x, w.arabic ? y - size * 0.35 : y, { lineBreak: false });
      x += widths[i] + gap;
    });
  }

  /** Left in English, right in Arabic: the start of the line in reading order. */
  start(x: number, width: number): Cell {
    return { x, width, align: this.rtl ? 'right' : 'left' };
  }
  end(x: number, width: number): Cell {
    return { x, width, align: this.rtl ? 'left' : 'right' };
  }
}

function localDateTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(iso))
    .replace(',', '');
}

/**
 * The invoice as a PDF, in English or Arabic (right to left), from its frozen snapshot. Any print after
 * the first is marked COPY.
 */
export async function renderInvoicePdf(invoice: Invoice, language: PdfLanguage, copy: boolean): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: invoice.number, Producer: 'Doctors-System', Creator: 'Doctors-System' } });
  doc.registerFont('arabic', ARABIC_REGULAR);
  doc.registerFont('arabic-bold', ARABIC_BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  const t = LABELS[language];
  const w = new Writer(doc, language === 'ar');
  const s = invoice.snapshot;
  const money = (minor: number) => formatMinor(minor, s.clinic.currency);
  const left = 50;
  const width = 495;
  const column = (from: number, size: number): [number, number] => (w.rtl ? [left + width - from - size, size] : [left + from, size]);

  let y = 50;
  w.text(s.clinic.name, y, { ...w.start(left, width), size: 18, bold: true });
  w.text(t.invoice, y, { ...w.end(left, width), size: 18, bold: true, color: '#0b7a5f' });
  y += 28;
  if (copy) {
    doc.save().rect(w.rtl ? left : left + width - 90, y - 2, 90, 20).lineWidth(1.5).strokeColor('#c0392b').stroke().restore();
    w.text(t.copy, y + 2, { x: w.rtl ? left : left + width - 90, width: 90, align: 'center', size: 11, bold: true, color: '#c0392b' });
  }
  const facts: [string, string][] = [
    [t.number, invoice.number],
    [t.date, localDateTime(invoice.issuedAt, s.clinic.timeZone)],
    [t.patient, (language === 'ar' ? (s.patient.nameArabic ?? s.patient.nameLatin) : (s.patient.nameLatin ?? s.patient.nameArabic)) ?? ''],
    [t.mrn, s.patient.mrn],
    [t.currency, s.clinic.currency],
  ];
  if (language === 'en' && s.patient.nameArabic && s.patient.nameLatin) facts.splice(3, 0, ['', s.patient.nameArabic]);
  if (language === 'ar' && s.patient.nameArabic && s.patient.nameLatin) facts.splice(3, 0, ['', s.patient.nameLatin]);
  for (const [label, value] of facts) {
    w.text(label, y, { ...w.start(...column(0, 120)), bold: true });
    w.text(value, y, w.start(...column(130, 250)));
    y += 16;
  }

  y += 14;
  const cols = { code: column(0, 70), service: column(75, 220), amount: column(300, 65), tax: column(370, 55), total: column(430, 65) };
  doc.save().moveTo(left, y + 14).lineTo(left + width, y + 14).lineWidth(0.8).strokeColor('#888888').stroke().restore();
  w.text(t.code, y, { ...w.start(...cols.code), bold: true });
  w.text(t.service, y, { ...w.start(...cols.service), bold: true });
  w.text(t.amount, y, { ...w.end(...cols.amount), bold: true });
  w.text(t.tax, y, { ...w.end(...cols.tax), bold: true });
  w.text(t.total, y, { ...w.end(...cols.total), bold: true });
  y += 22;
  for (const line of s.lines) {
    w.text(line.code, y, w.start(...cols.code));
    w.text(language === 'ar' ? line.nameAr : line.nameEn, y, w.start(...cols.service));
    w.text(money(line.amountMinor), y, w.end(...cols.amount));
    w.text(money(line.taxMinor), y, w.end(...cols.tax));
    w.text(money(line.totalMinor), y, w.end(...cols.total));
    y += 18;
  }
  doc.save().moveTo(left, y).lineTo(left + width, y).lineWidth(0.8).strokeColor('#888888').stroke().restore();
  y += 8;
  for (const [label, value, bold] of [
    [t.subtotal, s.subtotalMinor, false],
    [t.tax, s.taxMinor, false],
    [t.total, s.totalMinor, true],
  ] as const) {
    w.text(label, y, { ...w.end(...column(300, 120)), bold });
    w.text(`${money(value)} ${s.clinic.currency}`, y, { ...w.end(...cols.total), bold, size: bold ? 12 : 10 });
    y += bold ? 20 : 16;
  }

  y += 12;
  w.text(t.paid, y, { ...w.start(left, width), bold: true, size: 12 });
  y += 18;
  for (const part of s.payment.parts) {
    const details = [
      part.tenderedMinor !== null && part.tenderedMinor !== part.amountMinor ? `${t.tendered} ${money(part.tenderedMinor)}` : null,
      part.changeMinor ? `${t.change} ${money(part.changeMinor)}` : null,
      part.reference ? `${t.reference} ${part.reference}` : null,
    ].filter(Boolean);
    w.text(t.method[part.method], y, w.start(...column(0, 120)));
    w.text(money(part.amountMinor), y, w.start(...column(130, 90)));
    if (details.length) w.text(details.join(' · '), y, w.start(...column(230, 265)));
    y += 16;
  }
  w.text(`${t.receivedBy}: ${s.payment.receivedBy}`, y + 4, { ...w.start(left, width), color: '#555555' });
  y += 26;

  if (invoice.creditNotes.length > 0) {
    w.text(t.refunds, y, { ...w.start(left, width), bold: true, size: 12 });
    y += 18;
    for (const note of invoice.creditNotes) {
      w.text(note.number, y, w.start(...column(0, 120)));
      w.text(localDateTime(note.issuedAt, s.clinic.timeZone), y, w.start(...column(130, 110)));
      w.text(`-${money(note.totalMinor)}`, y, w.end(...cols.total));
      w.text(note.reason.slice(0, 60), y, w.start(...column(245, 180)));
      y += 16;
    }
  }
  doc.end();
  return done;
}
