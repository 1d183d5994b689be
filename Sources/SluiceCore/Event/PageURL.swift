/// The parts of a page URL the worker stores.
public enum PageURL {
    /// The path of an absolute or relative URL: `https://a.com/x/y?q=1#f` → `/x/y`; `/` when empty.
    public static func path(of url: String) -> String {
        var rest = Substring(url)
        // Only a "://" before any '/', '?' or '#' ends a scheme; a later one is in a path, query or fragment.
        if let scheme = rest.firstRange(of: "://"), !rest[..<scheme.lowerBound].contains(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            rest = rest[scheme.upperBound...]
            guard let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) else { return "/" }
            rest = rest[slash...]
        }
        if let end = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        return rest.isEmpty ? "/" : String(rest)
    }
}
