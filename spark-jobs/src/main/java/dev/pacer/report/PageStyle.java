package dev.pacer.report;

/**
 * The report page's inline style sheet: inline so the page is one self-contained file that opens
 * anywhere, with fonts that exist where the PNGs were drawn.
 */
final class PageStyle {

    private PageStyle() {}

    static final String CSS = """
            :root { color-scheme: light; }
            body { margin: 0; background: #f4f5f7; color: #1d1f23;
                   font: 15px/1.5 "DejaVu Sans", system-ui, -apple-system, "Segoe UI", sans-serif; }
            main { max-width: 1040px; margin: 0 auto; padding: 24px 20px 48px; }
            header h1 { margin: 0; font-size: 26px; font-weight: 600; }
            header .name { color: #1f5f99; }
            .sub { margin: 4px 0 20px; color: #5b6270; font-size: 13px; word-break: break-all; }
            section { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px; padding: 16px 20px;
                      margin: 0 0 18px; }
            h2 { margin: 0 0 10px; font-size: 18px; font-weight: 600; }
            section.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px;
                            background: none; border: none; padding: 0; }
            .card { background: #fff; border: 1px solid #e1e4e8; border-radius: 8px; padding: 10px 14px; }
            .card .k { color: #5b6270; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
            .card .v { font-size: 20px; font-weight: 600; margin-top: 2px; }
            figure { margin: 0; }
            figure img { display: block; width: 100%; height: auto; }
            figcaption, .caption { color: #4a505c; font-size: 13.5px; margin: 8px 0 0; }
            .caption { margin: 0 0 10px; }
            table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
            table.facts th { text-align: left; width: 150px; color: #5b6270; font-weight: 500; padding: 4px 12px 4px 0;
                             vertical-align: top; }
            table.facts td { padding: 4px 0; word-break: break-word; }
            table.grid th, table.grid td { border-bottom: 1px solid #eceef1; padding: 5px 10px 5px 0; text-align: left;
                                           vertical-align: top; }
            table.grid thead th { border-bottom: 2px solid #d5d9de; color: #40464f; }
            table.history td.time { white-space: nowrap; }
            table.config th { font-weight: normal; width: 45%; }
            table.history td.details { color: #4a505c; font-size: 12.5px; word-break: break-word; }
            td.up { color: #1e7b1e; font-weight: 600; } td.down { color: #b51f1f; font-weight: 600; }
            td.same { color: #5b6270; }
            code { font: 12.5px/1.4 "DejaVu Sans Mono", ui-monospace, monospace; }
            footer { color: #6a717d; font-size: 12.5px; margin-top: 8px; }
            """;
}
