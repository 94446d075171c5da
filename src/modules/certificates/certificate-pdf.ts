import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';

export interface PdfFacts {
  learnerName: string;
  courseTitle: string;
  instructorName: string;
  completedAt: Date;
  issuedAt: Date;
  verificationCode: string;
  verificationUrl: string;
  revoked: boolean;
}

const dateText = (date: Date) =>
  date.toLocaleDateString('en-GB', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });

/**
 * The certificate as an A4 landscape PDF (pdfkit): learner, course, instructor, completion date,
 * the verification code and URL, and a QR code of that URL. Text streams are left uncompressed
 * (`compress: false`) so the code and URL can be found in the file's bytes; the document's info
 * dictionary names the code too (`Subject`). Rendered once per certificate and then stored.
 */
export async function renderCertificatePdf(facts: PdfFacts): Promise<Buffer> {
  const qr = await QRCode.toBuffer(facts.verificationUrl, { type: 'png', margin: 1, width: 240 });
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 56,
    compress: false,
    info: {
      Title: `Certificate of completion: ${facts.courseTitle}`,
      Author: 'Learning Platform',
      Subject: `Verification code ${facts.verificationCode}`,
      Keywords: facts.verificationUrl,
      // Fixed rather than "now", so the stored file is the same whoever renders it first.
      CreationDate: facts.issuedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - 112;
  doc
    .rect(28, 28, doc.page.width - 56, doc.page.height - 56)
    .lineWidth(2)
    .stroke('#2b4c7e');
  doc.moveDown(2);
  doc
    .font('Helvetica-Bold')
    .fontSize(34)
    .fillColor('#2b4c7e')
    .text('Certificate of Completion', { align: 'center', width });
  doc.moveDown(1);
  doc
    .font('Helvetica')
    .fontSize(14)
    .fillColor('#333333')
    .text('This certifies that', { align: 'center', width });
  doc.moveDown(0.5);
  doc
    .font('Helvetica-Bold')
    .fontSize(26)
    .fillColor('#000000')
    .text(facts.learnerName, { align: 'center', width });
  doc.moveDown(0.5);
  doc
    .font('Helvetica')
    .fontSize(14)
    .fillColor('#333333')
    .text('has completed the course', { align: 'center', width });
  doc.moveDown(0.5);
  doc
    .font('Helvetica-Bold')
    .fontSize(20)
    .fillColor('#000000')
    .text(facts.courseTitle, { align: 'center', width });
  doc.moveDown(0.5);
  doc
    .font('Helvetica')
    .fontSize(13)
    .fillColor('#333333')
    .text(`taught by ${facts.instructorName}, on ${dateText(facts.completedAt)}`, { align: 'center', width });
  if (facts.revoked) {
    doc.moveDown(0.5);
    doc.font('Helvetica-Bold').fontSize(16).fillColor('#b00020').text('REVOKED', { align: 'center', width });
  }

  const qrSize = 110;
  const bottom = doc.page.height - 56 - qrSize - 12;
  doc.image(qr, doc.page.width - 56 - qrSize - 12, bottom, { width: qrSize, height: qrSize });
  doc
    .font('Helvetica')
    .fontSize(10)
    .fillColor('#333333')
    .text(`Verification code: ${facts.verificationCode}`, 68, bottom + 40, { width: width - qrSize - 40 })
    .text(`Verify at: ${facts.verificationUrl}`, { width: width - qrSize - 40 })
    .text(`Issued ${dateText(facts.issuedAt)}`, { width: width - qrSize - 40 });
  doc.end();
  return done;
}
