import Hummingbird
import SluiceCore

/// The dashboard's JSON answers: never cached, since they show live or personal data.
enum JSONResponse {
    /// A 200 answer with `object` as its body.
    static func ok(_ object: JSONObject) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.bytes(of: .object(object)))))
    }
}
