@testable import CNNData
import CCairo
import Foundation
import Testing

@Suite("PNG images")
struct PNGImageTests {
    @Test("camera.png is 512x512 and grey")
    func camera() throws {
        let image = try PNGImage(contentsOf: repositoryPath("datasets/images/camera.png"))
        #expect(image.width == 512 && image.height == 512)
        #expect(image.isGrey)
        #expect(image.channels == 1)
        #expect(image.alpha == nil)
        let grey = image.pixels(channels: 1)
        #expect(grey.count == 512 * 512)
        // Reference values decoded independently (Python's zlib and the PNG filter rules).
        #expect(grey[0] == 200)
        #expect(grey[100 * 512 + 200] == 54)
        #expect(grey.reduce(0) { $0 + Int($1) } == 33_832_495)
    }

    @Test("chelsea.png is 451 wide, 300 high and colour")
    func chelsea() throws {
        let image = try PNGImage(contentsOf: repositoryPath("datasets/images/chelsea.png"))
        #expect(image.width == 451 && image.height == 300)
        #expect(!image.isGrey)
        #expect(image.channels == 3)
        let rgb = image.pixels(channels: 3)
        let plane = 451 * 300
        #expect([rgb[0], rgb[plane], rgb[2 * plane]] == [143, 120, 104])
        let i = 100 * 451 + 200
        #expect([rgb[i], rgb[plane + i], rgb[2 * plane + i]] == [76, 39, 13])
        #expect(rgb[0..<plane].reduce(0) { $0 + Int($1) } == 19_980_169)
        #expect(rgb[plane...].reduce(0) { $0 + Int($1) } == 15_078_438 + 11_743_750)
        // Luma of BT.601: (299 * 143 + 587 * 120 + 114 * 104) / 1000 = 125.053, rounded.
        #expect(image.pixels(channels: 1)[0] == 125)
        let tensor = image.tensor(channels: 3)
        #expect(tensor.shape == [1, 3, 300, 451])
        #expect(tensor[0, 1, 0, 0] == Float(120) / 255)
    }

    @Test("a written PNG reads back the same, opaque and with alpha")
    func roundTrip() throws {
        try withTemporaryDirectory { dir in
            let rgb: [UInt8] = (0..<3 * 6).map { UInt8($0 * 13) }
            let opaque = PNGImage(width: 3, height: 2, rgb: rgb)
            try opaque.write(to: dir + "/opaque.png")
            #expect(try PNGImage(contentsOf: dir + "/opaque.png") == opaque)

            let grey = PNGImage(width: 3, height: 2, grey: [0, 50, 100, 150, 200, 255])
            #expect(grey.isGrey)
            try grey.write(to: dir + "/grey.png")
            let back = try PNGImage(contentsOf: dir + "/grey.png")
            #expect(back.isGrey && back.pixels(channels: 1) == [0, 50, 100, 150, 200, 255])

            // Opaque alpha round-trips exactly; colour under alpha 255 and 0 as well (0 reads back as black).
            let translucent = PNGImage(width: 2, height: 1, rgb: [200, 10, 100, 20, 50, 30], alpha: [255, 0])
            try translucent.write(to: dir + "/alpha.png")
            let read = try PNGImage(contentsOf: dir + "/alpha.png")
            #expect(read.alpha == [255, 0])
            #expect(read.rgb == [200, 0, 100, 0, 50, 0])
        }
    }

    @Test("an A8 surface reads as grey coverage")
    func alphaOnlySurface() throws {
        let surface = try #require(cairo_image_surface_create(CAIRO_FORMAT_A8, 3, 2))
        defer { cairo_surface_destroy(surface) }
        let data = try #require(cairo_image_surface_get_data(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        for y in 0..<2 { for x in 0..<3 { data[y * stride + x] = UInt8(10 * (3 * y + x)) } }
        cairo_surface_mark_dirty(surface)
        let image = try PNGImage(surface: surface, file: "a8")
        #expect(image.isGrey)
        #expect(image.pixels(channels: 1) == [0, 10, 20, 30, 40, 50])
    }

    @Test("a missing file and a file that is not a PNG name the file")
    func badFiles() throws {
        let missing = #expect(throws: DataError.self) { try PNGImage(contentsOf: "/nonexistent/cat.png") }
        #expect(missing?.description == "/nonexistent/cat.png: file not found")
        try withTemporaryDirectory { dir in
            let path = dir + "/fake.png"
            try writeFile(path, Array("not a PNG at all".utf8))
            let error = #expect(throws: DataError.self) { try PNGImage(contentsOf: path) }
            #expect(error?.kind == .wrongMagicNumber)
            #expect(error?.description == path + ": not a PNG file (no PNG signature)")

            let real = try [UInt8](Data(contentsOf: URL(fileURLWithPath: repositoryPath("datasets/images/camera.png"))))
            let cut = dir + "/cut.png"
            try writeFile(cut, Array(real.prefix(real.count / 2)))
            let truncated = #expect(throws: DataError.self) { try PNGImage(contentsOf: cut) }
            #expect(truncated?.description == cut + ": not a readable PNG: the image data is truncated or corrupt")
        }
    }
}
