// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

interface IFeed {
    function decimals() external view returns (uint8);
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80);
}

interface IToken {
    function transfer(address to, uint256 amount) external returns (bool);
    function transferFrom(address from, address to, uint256 amount) external returns (bool);
    function balanceOf(address who) external view returns (uint256);
}

/// @title A one-base-asset lending pool that refuses over-seizure and keeps a share of every seizure.
/// @notice A test protocol for defidrill's adapter boundary, with two conventions of deployed protocols
///         the reference pool does not have: `liquidate` REVERTS (SeizeExceedsCollateral) when the
///         seizure a repay asks for is more than the account holds, instead of capping the repay; and
///         the pool keeps `protocolSeizeShareWad` of each seizure (Compound V2's
///         protocolSeizeShareMantissa, 2.8%), so the liquidator's net incentive is
///         incentive x (1 - share). One factor per collateral serves borrowing and liquidation; no
///         interest; bad debt is never written off. Prices: USD per whole token, wad, from the feeds.
contract SeizeSharePool {
    error NotOwner(address caller);
    error UnknownCollateral(address token);
    error PriceUnavailable(address token);
    error BorrowAboveLimit(address account, uint256 debtUsdWad, uint256 limitUsdWad);
    error Healthy(address account, uint256 limitUsdWad, uint256 debtUsdWad);
    error RepayAboveCloseFactor(uint256 repayBase, uint256 maxRepayBase);
    error SeizeExceedsCollateral(uint256 seizeRaw, uint256 heldRaw);
    error TransferFailed(address token);

    /// @dev Compound V2's convention for admin setters: a rejected call does not revert, it emits Failure and
    ///      returns the code (0 = no error). Adapters check the return value (send_expecting_no_error).
    enum Failure_ { NO_ERROR, UNAUTHORIZED, UNKNOWN_COLLATERAL, FACTOR_TOO_HIGH }

    event Failure(uint256 error, uint256 info);
    event Liquidated(address indexed liquidator, address indexed borrower, address indexed collateral,
                     uint256 repaidBase, uint256 seizedToLiquidatorRaw, uint256 seizedToProtocolRaw);

    uint256 internal constant WAD = 1e18;

    struct Collateral {
        address feed;
        uint8 decimals;
        uint64 factorWad; // liquidation threshold and borrow limit, 0.8e18 = 80%
    }

    address public immutable owner;
    address public immutable base;
    address public immutable baseFeed;
    uint8 public immutable baseDecimals;
    /// @dev The seizure is worth repay x incentiveWad / 1e18 (1.08e18: 108%), rounded down.
    uint256 public immutable incentiveWad;
    /// @dev The pool keeps seizure x protocolSeizeShareWad / 1e18 of it (rounded down); the rest is the liquidator's.
    uint256 public immutable protocolSeizeShareWad;
    /// @dev One liquidation repays at most debt x closeFactorWad / 1e18 (rounded down).
    uint256 public immutable closeFactorWad;

    address[] public collateralList;
    mapping(address token => Collateral) public collaterals;
    mapping(address account => mapping(address token => uint256 raw)) public collateralOf;
    mapping(address account => uint256 raw) public debtOf;
    mapping(address token => uint256 raw) public reservesOf;
    uint256 public totalBorrows;
    uint256 public totalSupplied;

    constructor(address owner_, address base_, address baseFeed_, uint8 baseDecimals_, uint256 incentiveWad_,
                uint256 protocolSeizeShareWad_, uint256 closeFactorWad_) {
        owner = owner_;
        base = base_;
        baseFeed = baseFeed_;
        baseDecimals = baseDecimals_;
        incentiveWad = incentiveWad_;
        protocolSeizeShareWad = protocolSeizeShareWad_;
        closeFactorWad = closeFactorWad_;
    }

    function listCollateral(address token, address feed, uint8 decimals, uint64 factorWad) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        collaterals[token] = Collateral(feed, decimals, factorWad);
        collateralList.push(token);
    }

    /// @dev The highest collateral factor `setCollateralFactor` accepts (wad, 95%).
    uint256 public constant MAX_FACTOR_WAD = 95e16;

    /// @notice Change a listed collateral's factor (wad); returns an error code instead of reverting
    ///         (0 on success), with `info` = 1, as Compound V2's `_setCollateralFactor` does.
    function setCollateralFactor(address token, uint64 factorWad) external returns (uint256) {
        if (msg.sender != owner) return _fail(Failure_.UNAUTHORIZED);
        if (collaterals[token].feed == address(0)) return _fail(Failure_.UNKNOWN_COLLATERAL);
        if (factorWad > MAX_FACTOR_WAD) return _fail(Failure_.FACTOR_TOO_HIGH);
        collaterals[token].factorWad = factorWad;
        return uint256(Failure_.NO_ERROR);
    }

    function _fail(Failure_ err) internal returns (uint256) {
        emit Failure(uint256(err), 1);
        return uint256(err);
    }

    /// @notice The lender's base (raw) to lend.
    function supply(uint256 amount) external {
        _pull(base, amount);
        totalSupplied += amount;
    }

    /// @notice Deposit `amount` raw of `token` for `account` (the sender pays).
    function depositFor(address account, address token, uint256 amount) external {
        if (collaterals[token].feed == address(0)) revert UnknownCollateral(token);
        _pull(token, amount);
        collateralOf[account][token] += amount;
    }

    /// @notice Borrow `amount` base raw, up to the account's limit.
    function borrow(uint256 amount) external {
        debtOf[msg.sender] += amount;
        totalBorrows += amount;
        (uint256 limitUsdWad, uint256 debtUsdWad) = values(msg.sender);
        if (debtUsdWad > limitUsdWad) revert BorrowAboveLimit(msg.sender, debtUsdWad, limitUsdWad);
        _push(base, msg.sender, amount);
    }

    /// @notice Repay up to `amount` base raw of `account`'s debt (the sender pays).
    function repayFor(address account, uint256 amount) external {
        uint256 debt = debtOf[account];
        if (amount > debt) amount = debt;
        _pull(base, amount);
        debtOf[account] = debt - amount;
        totalBorrows -= amount;
    }

    /// @notice Repay `repayBase` of `borrower`'s debt for its `collateral`: the seizure is
    ///         repay x price(base) x incentive / price(collateral), and the call reverts when it is
    ///         more than the borrower holds (no cap). The liquidator receives it less the pool's share.
    function liquidate(address borrower, address collateral, uint256 repayBase) external {
        (uint256 limitUsdWad, uint256 debtUsdWad) = values(borrower);
        if (limitUsdWad >= debtUsdWad) revert Healthy(borrower, limitUsdWad, debtUsdWad);
        uint256 maxRepay = debtOf[borrower] * closeFactorWad / WAD;
        if (repayBase > maxRepay) revert RepayAboveCloseFactor(repayBase, maxRepay);
        uint256 seizeRaw = seizeFor(collateral, repayBase);
        uint256 held = collateralOf[borrower][collateral];
        if (seizeRaw > held) revert SeizeExceedsCollateral(seizeRaw, held);
        uint256 kept = seizeRaw * protocolSeizeShareWad / WAD;
        _pull(base, repayBase);
        debtOf[borrower] -= repayBase;
        totalBorrows -= repayBase;
        collateralOf[borrower][collateral] = held - seizeRaw;
        reservesOf[collateral] += kept;
        _push(collateral, msg.sender, seizeRaw - kept);
        emit Liquidated(msg.sender, borrower, collateral, repayBase, seizeRaw - kept, kept);
    }

    /// @notice The collateral (raw) a repay of `repayBase` seizes: every step rounded down.
    function seizeFor(address collateral, uint256 repayBase) public view returns (uint256) {
        Collateral memory c = collaterals[collateral];
        if (c.feed == address(0)) revert UnknownCollateral(collateral);
        uint256 repayUsdWad = repayBase * _priceOrRevert(base, baseFeed) / 10 ** baseDecimals;
        return repayUsdWad * incentiveWad / WAD * 10 ** c.decimals / _priceOrRevert(collateral, c.feed);
    }

    /// @notice (borrow limit, debt) of `account` in USD wad, each term rounded down.
    function values(address account) public view returns (uint256 limitUsdWad, uint256 debtUsdWad) {
        debtUsdWad = debtOf[account] * _priceOrRevert(base, baseFeed) / 10 ** baseDecimals;
        for (uint256 i = 0; i < collateralList.length; i++) {
            address token = collateralList[i];
            uint256 raw = collateralOf[account][token];
            if (raw == 0) continue;
            Collateral memory c = collaterals[token];
            limitUsdWad += raw * _priceOrRevert(token, c.feed) / 10 ** c.decimals * c.factorWad / WAD;
        }
    }

    /// @notice One step's read as flat words: the price of base then of each listed collateral (0 when
    ///         unavailable), totalBorrows, totalSupplied, the base held; then per account its debt and
    ///         its raw balance of each collateral in list order.
    function scan(address[] calldata accounts) external view returns (uint256[] memory words) {
        uint256 n = collateralList.length;
        words = new uint256[](n + 4 + accounts.length * (n + 1));
        words[0] = _price(baseFeed);
        for (uint256 i = 0; i < n; i++) words[1 + i] = _price(collaterals[collateralList[i]].feed);
        words[n + 1] = totalBorrows;
        words[n + 2] = totalSupplied;
        words[n + 3] = IToken(base).balanceOf(address(this));
        uint256 w = n + 4;
        for (uint256 a = 0; a < accounts.length; a++) {
            words[w++] = debtOf[accounts[a]];
            for (uint256 i = 0; i < n; i++) words[w++] = collateralOf[accounts[a]][collateralList[i]];
        }
    }

    function _price(address feed) internal view returns (uint256) {
        (, int256 answer,,,) = IFeed(feed).latestRoundData();
        if (answer <= 0) return 0;
        return uint256(answer) * 10 ** (18 - IFeed(feed).decimals());
    }

    function _priceOrRevert(address token, address feed) internal view returns (uint256 priceWad) {
        priceWad = _price(feed);
        if (priceWad == 0) revert PriceUnavailable(token);
    }

    function _pull(address token, uint256 amount) internal {
        if (!IToken(token).transferFrom(msg.sender, address(this), amount)) revert TransferFailed(token);
    }

    function _push(address token, address to, uint256 amount) internal {
        if (!IToken(token).transfer(to, amount)) revert TransferFailed(token);
    }
}
