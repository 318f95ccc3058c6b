// The figure catalogue's ids in one list (docs/figures/README.md describes them): suites validate
// `figures:` against it and expand `all` to it, the report shows figures in its order, and
// CNNFigures' FigureCatalogue draws each one (a test checks that it knows every id on the list).

/// The catalogue ids a suite can ask for, in catalogue order.
public enum CatalogueIDs {
    public static let all = ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "B1", "B2", "C1", "C2", "C3", "C4", "C5", "C6", "C7",
                             "D1", "D2", "E1", "E2", "E3", "E4", "E6", "F1"]
    /// Figures drawn as part of another entry rather than asked for on their own: E5 (the gradient
    /// norms that explain E3) comes with E3.
    public static let drawnWith = ["E5": "E3"]
}
