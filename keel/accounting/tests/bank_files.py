"""Sample bank files as the banks send them."""

import datetime as dt
from decimal import Decimal

CAMT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>MSG1</MsgId><CreDtTm>2026-03-31T18:00:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>STMT-2026-03</Id>
   <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">1000.00</Amt>
    <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-01</Dt></Dt></Bal>
   <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">2125.45</Amt>
    <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-03-31</Dt></Dt></Bal>
   <Ntry>
    <Amt Ccy="USD">1250.50</Amt><CdtDbtInd>CRDT</CdtDbtInd>
    <BookgDt><Dt>2026-03-10</Dt></BookgDt><AcctSvcrRef>BANK-0001</AcctSvcrRef>
    <NtryDtls><TxDtls>
     <RltdPties><Dbtr><Nm>Acme Corp</Nm></Dbtr></RltdPties>
     <RmtInf><Ustrd>Invoice INV/2026/00007</Ustrd></RmtInf>
    </TxDtls></NtryDtls>
   </Ntry>
   <Ntry>
    <Amt Ccy="USD">125.05</Amt><CdtDbtInd>DBIT</CdtDbtInd>
    <BookgDt><Dt>2026-03-12</Dt></BookgDt><AcctSvcrRef>BANK-0002</AcctSvcrRef>
    <NtryDtls><TxDtls>
     <Refs><EndToEndId>E2E-77</EndToEndId></Refs>
     <RltdPties><Cdtr><Nm>Office Supplies Ltd</Nm></Cdtr></RltdPties>
    </TxDtls></NtryDtls>
   </Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>
"""

OFX1 = """OFXHEADER:100
DATA:OFXSGML
VERSION:102
ENCODING:USASCII

<OFX>
<BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD
<BANKTRANLIST>
<DTSTART>20260401
<DTEND>20260430
<STMTTRN>
<TRNTYPE>CREDIT
<DTPOSTED>20260403120000
<TRNAMT>300.00
<FITID>F-1
<NAME>Globex
<MEMO>Payment thanks
<STMTTRN>
<TRNTYPE>DEBIT
<DTPOSTED>20260405
<TRNAMT>-45.10
<FITID>F-2
<NAME>Bank
<MEMO>Fees
</BANKTRANLIST>
<LEDGERBAL><BALAMT>254.90<DTASOF>20260430
</STMTRS></STMTTRNRS></BANKMSGSRSV1>
</OFX>
"""

OFX2 = """<?xml version="1.0" encoding="UTF-8"?>
<?OFX OFXHEADER="200" VERSION="220"?>
<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><CURDEF>USD</CURDEF>
<BANKTRANLIST>
<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20260506</DTPOSTED><TRNAMT>99.99</TRNAMT>
<FITID>X-9</FITID><NAME>Initech</NAME></STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>99.99</BALAMT><DTASOF>20260531</DTASOF></LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""

CSV_EU = """Buchungstag;Empfänger;Verwendungszweck;Soll;Haben
02.03.2026;Acme Corp;RE-7;;1.250,50
05.03.2026;Stadtwerke;Strom;89,90;
05.03.2026;Stadtwerke;Strom;89,90;
"""


def camt_file(
    *entries: tuple, name: str = "STMT-2026-04", day: dt.date = dt.date(2026, 4, 2)
) -> bytes:
    """A CAMT.053 file; each entry is (bank id, signed amount, counterparty, reference, text)."""
    rows = []
    for bank_id, amount, counterparty, reference, text in entries:
        amount = Decimal(amount)
        side, who = ("CRDT", "Dbtr") if amount > 0 else ("DBIT", "Cdtr")
        rows.append(
            f"""<Ntry><Amt Ccy="USD">{abs(amount)}</Amt><CdtDbtInd>{side}</CdtDbtInd>
    <BookgDt><Dt>{day.isoformat()}</Dt></BookgDt><AcctSvcrRef>{bank_id}</AcctSvcrRef>
    <NtryDtls><TxDtls><RltdPties><{who}><Nm>{counterparty}</Nm></{who}></RltdPties>
     <RmtInf><Ustrd>{text}</Ustrd><Strd><CdtrRefInf><Ref>{reference}</Ref></CdtrRefInf></Strd>
     </RmtInf></TxDtls></NtryDtls></Ntry>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
 <GrpHdr><MsgId>M-{name}</MsgId><CreDtTm>2026-04-30T18:00:00</CreDtTm></GrpHdr>
 <Stmt><Id>{name}</Id>{"".join(rows)}</Stmt></BkToCstmrStmt></Document>""".encode()
