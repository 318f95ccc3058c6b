// C4. Top-activating inputs (Zeiler and Fergus 2014): for chosen channels of a layer, the data-set
// patches that excite each channel most. A channel's response to an image is the maximum of its map
// over positions; the patch is the receptive field of the unit where that maximum sits, computed
// from the kernels, strides and paddings along the path from the input.
import CNNData
import CNNEngine
import CNNModels
import CNNPlot
import CNNRuns
import Foundation

/// The patches of a data set that excite chosen channels of chosen layers most.
public struct TopActivations: Figure {
    /// One patch: where it comes from, how strongly it excites the channel, and its pixels.
    public struct Patch: Sendable, Equatable {
        /// Index of the image in the data set.
        public var imageIndex: Int
        /// Its class name.
        public var label: String
        /// The channel's maximum over positions for this image.
        public var activation: Float
        /// The unit (row, column) of the map where the maximum is.
        public var unit: Pair
        /// The input rows and columns the unit sees (may reach outside the image, into the padding).
        public var rows: Range<Int>
        public var columns: Range<Int>
        /// The crop, C x rows x columns values in [0, 1] (byte / 255); NaN outside the image.
        public var pixels: [Float]
    }

    /// The best patches of one channel, strongest first.
    public struct ChannelPatches: Sendable, Equatable {
        public var layer: String
        public var channel: Int
        public var patches: [Patch]
    }

    /// The model's name, for the title.
    public let model: String
    /// The data set searched, and how many of its images.
    public let datasetName: String
    public let imagesSearched: Int
    /// Input channels of the images (1 or 3).
    public let imageChannels: Int
    /// The receptive field of each layer shown, by layer name.
    public let fields: [String: ReceptiveField]
    /// The layers shown, in network order.
    public let layers: [String]
    /// One entry per (layer, channel), in layer order then channel order.
    public let channels: [ChannelPatches]
    /// Patches per channel.
    public let perChannel: Int
    /// How many channels each layer shown has (drawn or not).
    public let layerChannelCounts: [String: Int]

    /// Searches `dataset` (its first `limit` images) for the patches that excite each channel most.
    /// - Parameters:
    ///   - layers: top-level layer names; nil takes every convolution.
    ///   - channels: channel numbers of each layer; nil takes the first 16 (or fewer).
    /// - Throws: `LearnedFigureError` for an unknown layer, a channel out of range, or images that do not fit the model.
    public init(_ model: TrainedModel, dataset: Dataset, layers: [String]? = nil, channels: [Int]? = nil,
                limit: Int? = nil, perChannel: Int = 9, batchSize: Int = 200) throws {
        let convolutionNames = model.network.layers.filter { $0 is Conv2D }.map(\.name)
        let chosen = layers ?? convolutionNames
        guard !chosen.isEmpty else { throw LearnedFigureError("\(model.path): \(model.contents.model) has no convolution layers") }
        var shapes: [String: [Int]] = [:]
        var shape = model.inputShape
        for layer in model.network.layers {
            shape = try layer.outputShape(for: shape)
            shapes[layer.name] = shape
        }
        var fields: [String: ReceptiveField] = [:]
        var channelLists: [String: [Int]] = [:]
        for name in chosen {
            _ = try model.layer(named: name, kinds: featureMapKinds, what: "convolution or pooling layer")
            guard let s = shapes[name], s.count == 3 else { throw LearnedFigureError("\(model.path): layer \"\(name)\" has no feature maps") }
            fields[name] = try ReceptiveField.of(layer: name, in: model)
            let list = channels ?? Array(0..<min(16, s[0]))
            if let bad = list.first(where: { $0 < 0 || $0 >= s[0] }) {
                throw LearnedFigureError("--channels: layer \(name) has channels 0...\(s[0] - 1), got \(bad)")
            }
            channelLists[name] = list
        }

        // The images as the model saw them in training: padded up to its input when a little smaller.
        let data = try model.inputs(dataset, limit: limit)

        // Per (layer, channel): the best (activation, image, unit) seen so far, strongest first.
        var best: [String: [[(value: Float, image: Int, y: Int, x: Int)]]] = [:]
        for name in chosen { best[name] = Array(repeating: [], count: channelLists[name]!.count) }
        let targets = Set(chosen)
        var start = 0
        while start < data.count {
            let n = min(batchSize, data.count - start)
            let batch = try model.batch(data, range: start..<start + n)
            var pending: (name: String, output: Tensor)?
            func settle() {
                guard let (name, output) = pending else { return }
                let (channelCount, oh, ow) = (output.shape[1], output.shape[2], output.shape[3])
                for (k, channel) in channelLists[name]!.enumerated() {
                    for b in 0..<n {
                        let map = output.pointer + (b * channelCount + channel) * oh * ow
                        var top: Float = -.infinity, at = 0
                        for i in 0..<oh * ow where map[i] > top { top = map[i]; at = i }
                        var list = best[name]![k]
                        let candidate = (value: top, image: start + b, y: at / ow, x: at % ow)
                        if list.count < perChannel || top > list[list.count - 1].value {
                            let place = list.firstIndex { top > $0.value } ?? list.count
                            list.insert(candidate, at: place)
                            if list.count > perChannel { list.removeLast() }
                            best[name]![k] = list
                        }
                    }
                }
                pending = nil
            }
            _ = try model.network.forward(batch) { layer, output in
                if pending != nil, foldedKinds.contains(layer.kind), output.shape == pending!.output.shape {
                    pending!.output = output.copy()
                    return
                }
                settle()
                if targets.contains(layer.name) { pending = (layer.name, output.copy()) }
            }
            settle()
            start += n
        }

        var result: [ChannelPatches] = []
        for name in chosen {
            let field = fields[name]!
            for (k, channel) in channelLists[name]!.enumerated() {
                let patches = best[name]![k].map { entry -> Patch in
                    let window = field.window(y: entry.y, x: entry.x)
                    let pixels = Self.crop(data, image: entry.image, rows: window.rows, columns: window.columns)
                    return Patch(imageIndex: entry.image, label: data.classNames[Int(data.labels[entry.image])],
                                 activation: entry.value, unit: Pair(entry.y, entry.x), rows: window.rows,
                                 columns: window.columns, pixels: pixels)
                }
                result.append(ChannelPatches(layer: name, channel: channel, patches: patches))
            }
        }
        self.model = model.displayName
        datasetName = dataset.name
        imagesSearched = data.count
        imageChannels = data.channels
        self.fields = fields
        self.layers = chosen
        self.channels = result
        self.perChannel = perChannel
        layerChannelCounts = Dictionary(uniqueKeysWithValues: chosen.map { ($0, shapes[$0]![0]) })
    }

    /// The pixels of `rows` x `columns` of an image, byte / 255, NaN outside it.
    static func crop(_ data: Dataset, image: Int, rows: Range<Int>, columns: Range<Int>) -> [Float] {
        let bytes = data.image(at: image), base = bytes.startIndex
        var out: [Float] = []
        out.reserveCapacity(data.channels * rows.count * columns.count)
        for c in 0..<data.channels {
            for y in rows {
                for x in columns {
                    if y >= 0 && y < data.height && x >= 0 && x < data.width {
                        out.append(Float(bytes[base + (c * data.height + y) * data.width + x]) / 255)
                    } else {
                        out.append(.nan)
                    }
                }
            }
        }
        return out
    }

    public var catalogueID: String { "C4" }

    public var title: String { "\(catalogueID). \(titleText)" }
    /// The title without its catalogue id.
    var titleText: String {
        "\(model): the \(perChannel) \(datasetName) patches that excite each channel most"
    }

    /// Which channels of each layer are drawn: "channels 0-7 of C3's 16" or "all 6 channels of C1".
    var channelsDrawn: String {
        layers.map { name in
            let list = channels.filter { $0.layer == name }.map(\.channel)
            let total = layerChannelCounts[name] ?? list.count
            if list.count == total { return "all \(total) channels of \(name)" }
            let contiguous = list == Array((list.first ?? 0)...(list.last ?? 0))
            let which = contiguous && list.count > 2 ? "\(list.first!)–\(list.last!)" : list.map(String.init).joined(separator: ", ")
            return "channels \(which) of \(name)'s \(total)"
        }.joined(separator: " and ")
    }

    /// Channels whose activation is never above 0 on any searched image (drawn as a red-shaded tile without patches).
    public var deadChannels: [ChannelPatches] { channels.filter { ($0.patches.first?.activation ?? 0) <= 0 } }

    public var caption: String {
        let dead = deadChannels.map { "\($0.layer) channel \($0.channel)" }
        let deadNote = dead.isEmpty ? "" : " Never active on any of the images (a tile shaded red, with no patches): \(dead.joined(separator: ", "))."
        return "For \(channelsDrawn) of \(model), the \(perChannel) of \(groupedThousands(imagesSearched)) \(datasetName) images whose "
            + "maximum activation is largest, cropped to the receptive field of the unit where it occurs (" +
            layers.map { "\($0): \(fields[$0]!.size.height)×\(fields[$0]!.size.width) px" }.joined(separator: ", ") + "), strongest first; grey: padding outside the image." + deadNote
    }

    public var preferredSize: Size {
        // Eight tiles of about 0.95 in across a 9 in page, a caption under each, a header per layer.
        let rows = layers.reduce(0) { total, layer in total + (channels.filter { $0.layer == layer }.count + 7) / 8 }
        return .inches(9, min(11, 1.1 + Double(rows) * 1.2 + Double(layers.count) * 0.35))
    }

    /// A tile's caption: "ch 3: max 2.9" (always one decimal), or "ch 3: dead" for a channel whose maximum is never above 0.
    func tileCaption(_ entry: ChannelPatches) -> String {
        guard let strongest = entry.patches.first?.activation, strongest > 0 else { return "ch \(entry.channel): dead" }
        return "ch \(entry.channel): max " + String(format: "%.1f", Double(strongest))
    }

    public func draw(on canvas: Canvas, in rect: Rect, frame: Int) throws {
        let style = canvas.style
        let note = "\(groupedThousands(imagesSearched)) images searched; one tile per channel, its strongest patch top left; grey: padding"
        let body = canvas.learnedPage(rect, title: title, note: note)
        let columns = 8
        let headerFont = style.labelFont.withSize(style.labelFont.size * 1.0)
        let headerHeight = canvas.measure("Hg", font: headerFont).height + style.labelGap
        let captionFont = style.tickFont
        let captionHeight = canvas.measure("Hg", font: captionFont).height + 3
        let tileRows = layers.map { name in (channels.filter { $0.layer == name }.count + columns - 1) / columns }
        let totalRows = Double(tileRows.reduce(0, +))
        let tileGap = 10.0, sectionGap = style.labelGap * 2
        let available = body.height - Double(layers.count) * (headerHeight + sectionGap) - totalRows * (captionHeight + tileGap)
        let tile = min((body.width - Double(columns - 1) * tileGap) / Double(columns), available / totalRows)
        let captionSize = canvas.fittedFontSize(for: channels.map(tileCaption), in: Size(width: tile, height: captionHeight),
                                                font: captionFont)
        let side = Int(Double(perChannel).squareRoot().rounded(.up))
        let gridWidth = Double(columns) * tile + Double(columns - 1) * tileGap
        let left = body.minX + (body.width - gridWidth) / 2
        var y = body.minY
        for (l, name) in layers.enumerated() {
            let field = fields[name]!
            canvas.text("\(name): receptive field \(field.size.height)×\(field.size.width) pixels, stride \(field.jump.height)",
                        at: Point(x: left, y: y), font: headerFont, horizontal: .left, vertical: .top)
            y += headerHeight
            let entries = channels.filter { $0.layer == name }
            for (i, entry) in entries.enumerated() {
                let origin = Point(x: left + Double(i % columns) * (tile + tileGap),
                                   y: y + Double(i / columns) * (tile + captionHeight + tileGap))
                let gap = max(1, tile * 0.035)
                let patchSide = (tile - Double(side - 1) * gap) / Double(side)
                if (entry.patches.first?.activation ?? 0) <= 0 {
                    // A dead channel: no image excites it, so no patch is "its" patch. Shaded red as E6 shades
                    // dead units (grey means padding here).
                    canvas.fill(Rect(x: origin.x, y: origin.y, width: tile, height: tile), color: style.highlightColor.withAlpha(0.18))
                }
                for (p, patch) in entry.patches.enumerated() where patch.activation > 0 {
                    let r = Rect(x: origin.x + Double(p % side) * (patchSide + gap), y: origin.y + Double(p / side) * (patchSide + gap),
                                 width: patchSide, height: patchSide)
                    let (ph, pw) = (patch.rows.count, patch.columns.count)
                    if imageChannels == 3 {
                        let plane = ph * pw
                        let values = patch.pixels.map { $0.isNaN ? 0.5 : $0 }
                        canvas.rgbImage(red: Array(values[0..<plane]), green: Array(values[plane..<2 * plane]),
                                        blue: Array(values[2 * plane..<3 * plane]), width: pw, height: ph, in: r,
                                        range: ValueRange(0, 1))
                    } else {
                        // A thin frame per patch: white gaps alone vanish against MNIST's white ground.
                        canvas.greyDatasetImage(patch.pixels, width: pw, height: ph, in: r, border: RGBColor(hex: 0xB0B0B0))
                    }
                }
                canvas.text(tileCaption(entry), at: Point(x: origin.x + tile / 2, y: origin.y + tile + 2),
                            font: captionFont.withSize(captionSize), horizontal: .center, vertical: .top)
            }
            y += Double(tileRows[l]) * (tile + captionHeight + tileGap) + sectionGap
        }
    }
}
